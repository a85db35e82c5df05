using System.Text;
using Sieve.Core.Policy;
using Sieve.Testing.Policy;
using static Sieve.Testing.Policy.PolicyTestText;

namespace Sieve.Tests.Policy;

public class PolicyLoaderTests
{
    [Fact]
    public void Malformed_JSON_names_line_and_column()
    {
        string json = Minimal.Edit("\"topic\": \"positioning.v1\",", "\"topic\": \"positioning.v1\"");
        IReadOnlyList<PolicyError> errors = ErrorsOf(json);
        PolicyError error = Assert.Single(errors);
        Assert.StartsWith("malformed JSON: ", error.Problem, StringComparison.Ordinal);
        Assert.DoesNotContain("LineNumber", error.Problem, StringComparison.Ordinal);
        Assert.Equal(LineOf(json, "\"outputSchema\""), error.Line);
        Assert.Equal(ColumnOf(json, "\"outputSchema\""), error.Column);
    }

    [Fact]
    public void Trailing_content_is_malformed()
    {
        string json = Minimal + "\n{}";
        PolicyError error = Assert.Single(ErrorsOf(json));
        Assert.StartsWith("malformed JSON: ", error.Problem, StringComparison.Ordinal);
        Assert.Equal(LineOf(json, "\n{}") + 1, error.Line);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void Empty_document_is_an_error(string json) =>
        Assert.Equal(1, Assert.Single(ErrorsOf(json)).Line);

    [Fact]
    public void Root_must_be_an_object() =>
        Assert.Equal("the policy must be a JSON object, not an array", Assert.Single(ErrorsOf("[]")).Problem);

    [Fact]
    public void Missing_required_top_level_keys()
    {
        IReadOnlyList<PolicyError> errors = ErrorsOf("{\n}");
        Assert.Equal(["missing 'policyVersion'", "missing 'purposes'"], errors.Select(e => e.Problem));
        Assert.All(errors, e => Assert.Equal((1, 1), (e.Line, e.Column)));
    }

    [Fact]
    public void Columns_count_characters_not_bytes()
    {
        string json = Minimal.Edit("\"policyVersion\": \"t1\",", "\"policyVersion\": \"t1\", /* 策略 */ \"owner\": 1,");
        PolicyError error = Assert.Single(ErrorsOf(json));
        Assert.Equal(ColumnOf(json, "\"owner\""), error.Column);
        Assert.Equal(LineOf(json, "\"owner\""), error.Line);
    }

    [Fact]
    public void Comments_and_byte_order_mark_are_accepted()
    {
        string json = Minimal.Edit("\"policyVersion\": \"t1\",", "// reviewed by the DPO\n  \"policyVersion\": \"t1\", /* version */");
        byte[] utf8 = [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(json)];
        CompiledPolicy policy = PolicyLoader.LoadUtf8(utf8, "bom.json");
        Assert.Equal("t1", policy.PolicyVersion);
        Assert.Equal("bom.json", policy.Source);
    }

    [Fact]
    public void Load_JSON_names_the_source()
    {
        var exception = Assert.Throws<PolicyValidationException>(() => PolicyLoader.LoadJson("{ \"purposes\": {} }", "inline"));
        Assert.Equal("inline", exception.PolicySource);
        Assert.Equal(["inline:1:1: missing 'policyVersion'", "inline:1:15: 'purposes' declares no purpose"], exception.Errors.Select(e => e.ToString()));
        Assert.StartsWith("Policy inline is invalid (2 errors):\ninline:1:1: ", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_file_reports_errors_against_the_path()
    {
        string path = Path.Combine(Path.GetTempPath(), $"sieve-policy-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, Minimal.Edit("\"vin\": \"pseudonymize\"", "\"vin\": \"pass\""));
        try
        {
            var exception = Assert.Throws<PolicyValidationException>(() => PolicyLoader.LoadFile(path));
            PolicyError error = Assert.Single(exception.Errors);
            Assert.StartsWith($"{path}:{LineOf(Minimal, "\"vin\"")}:9: direct field 'vin'", error.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Unreadable_file_is_a_validation_error()
    {
        string path = Path.Combine(Path.GetTempPath(), $"sieve-missing-{Guid.NewGuid():N}.json");
        var exception = Assert.Throws<PolicyValidationException>(() => PolicyLoader.LoadFile(path));
        PolicyError error = Assert.Single(exception.Errors);
        Assert.Equal(0, error.Line);
        Assert.StartsWith($"{path}: cannot read the policy file", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Oversized_policy_is_rejected()
    {
        byte[] big = new byte[PolicyLoader.MaxPolicyBytes + 1];
        big.AsSpan().Fill((byte)' ');
        PolicyError error = Assert.Single(Assert.Throws<PolicyValidationException>(() => PolicyLoader.LoadUtf8(big, "big.json")).Errors);
        Assert.Contains("larger than", error.Problem, StringComparison.Ordinal);
    }

    // Harness policy (fuzz/Sieve.Fuzz.Harnesses/PolicyHarness.cs), minimized from its crash inputs: a byte that is not
    // UTF-8 in a string value, and an unpaired surrogate escape in a key. Utf8JsonReader.GetString threw
    // InvalidOperationException out of PolicyLoader, whose only documented failure is PolicyValidationException.
    private static readonly byte[] InvalidUtf8Value = [0x7B, 0x0A, 0x20, 0x20, 0x22, 0x61, 0x22, 0x3A, 0x20, 0x22, 0x80, 0x22, 0x0A, 0x7D];
    private static readonly byte[] LoneSurrogateKey = [0x7B, 0x22, 0x5C, 0x75, 0x64, 0x38, 0x30, 0x30, 0x22, 0x3A, 0x31, 0x7D];

    [Fact]
    public void Fuzz_regression_undecodable_text_is_a_positioned_validation_error()
    {
        PolicyValidationException value = Assert.Throws<PolicyValidationException>(() => PolicyLoader.LoadUtf8(InvalidUtf8Value, "fuzz.json"));
        Assert.Contains(value.Errors, e => e.Line == 2 && e.Column == 8 && e.Problem.Contains("not valid UTF-8", StringComparison.Ordinal));

        PolicyValidationException key = Assert.Throws<PolicyValidationException>(() => PolicyLoader.LoadUtf8(LoneSurrogateKey, "fuzz.json"));
        Assert.Contains(key.Errors, e => e.Line == 1 && e.Column == 2 && e.Problem.Contains("unpaired surrogate", StringComparison.Ordinal));
    }
}
