using Sieve.Core.Policy;
using static Sieve.Testing.Policy.PolicyTestText;

namespace Sieve.Tests.Policy;

/// <summary>
/// A consent period may not be "always" or "permanent": a purpose that needs consent declares <c>consentMaxAge</c>,
/// whole days, or <c>"none"</c> with a reason; a purpose that needs none declares neither.
/// </summary>
public sealed class ConsentMaxAgeValidationTests
{
    private const string MaxAgeLine = "      \"consentMaxAge\": \"365d\",\n";

    [Fact]
    public void A_max_age_in_days_compiles_into_the_plan()
    {
        CompiledPolicy policy = PolicyCompiler.Compile(System.Text.Encoding.UTF8.GetBytes(Minimal.Edit("\"365d\"", "\"90d\"")), Source);
        PurposePlan plan = Assert.Single(policy.Purposes);
        Assert.Equal(TimeSpan.FromDays(90), plan.ConsentMaxAge);
        Assert.Equal((long)TimeSpan.FromDays(90).TotalMilliseconds, plan.ConsentMaxAgeMillis);
        Assert.Null(plan.ConsentMaxAgeReason);
    }

    [Fact]
    public void A_purpose_that_needs_consent_and_declares_no_max_age_is_rejected_at_the_purpose_with_how_to_fix_it()
    {
        string json = Minimal.Edit(MaxAgeLine, "");
        PolicyError error = ExpectSingle(json, "\"positioning\": {",
            "purpose 'positioning' needs consent but declares no 'consentMaxAge': a grant may not last forever (GB/T 41871-2022); " +
            "add \"consentMaxAge\": \"365d\" (whole days), or \"consentMaxAge\": \"none\" with a \"consentMaxAgeReason\" that says why its consent has no end");
        Assert.Equal(ColumnOf(json, "{\n      \"topic\""), error.Column);
        Assert.StartsWith($"{Source}:{LineOf(json, "\"positioning\": {")}:", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void None_without_a_reason_is_rejected_at_the_value()
    {
        string json = Minimal.Edit("\"365d\"", "\"none\"");
        PolicyError error = ExpectSingle(json, "\"none\"", "'consentMaxAge' of purpose 'positioning' is \"none\" but no 'consentMaxAgeReason' says why; add \"consentMaxAgeReason\": \"<why this consent has no end>\", or give whole days like \"365d\"");
        Assert.Equal(ColumnOf(json, "\"none\""), error.Column);
    }

    [Theory]
    [InlineData("\"\"", "not ''")]
    [InlineData("\"   \"", "not '   '")]
    [InlineData("true", "not a boolean")]
    public void None_with_an_empty_or_non_text_reason_is_rejected(string reason, string describes)
    {
        string json = Minimal.Edit(MaxAgeLine, "      \"consentMaxAge\": \"none\",\n      \"consentMaxAgeReason\": " + reason + ",\n");
        PolicyError error = ExpectSingle(json, "\"consentMaxAgeReason\"", "'consentMaxAgeReason' of purpose 'positioning' must be a non-empty string that says why its consent has no end");
        Assert.Contains(describes, error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void None_with_a_reason_compiles_with_no_max_age_and_keeps_the_reason()
    {
        string json = Minimal.Edit(MaxAgeLine, "      \"consentMaxAge\": \"none\",\n      \"consentMaxAgeReason\": \"Needed for the eCall emergency service for the vehicle's life.\",\n");
        PurposePlan plan = Assert.Single(PolicyCompiler.Compile(System.Text.Encoding.UTF8.GetBytes(json), Source).Purposes);
        Assert.Null(plan.ConsentMaxAge);
        Assert.Equal(PurposePlan.NoConsentMaxAge, plan.ConsentMaxAgeMillis);
        Assert.Equal("Needed for the eCall emergency service for the vehicle's life.", plan.ConsentMaxAgeReason);
    }

    [Theory]
    [InlineData("\"0d\"")]
    [InlineData("\"12m\"")]
    [InlineData("\"forever\"")]
    [InlineData("365")]
    public void A_malformed_max_age_is_rejected_at_the_value(string value)
    {
        string json = Minimal.Edit("\"365d\"", value);
        ExpectSingle(json, "\"consentMaxAge\"", "'consentMaxAge' of purpose 'positioning' must be whole days from 1 to 36500 written like \"365d\", or \"none\" with a 'consentMaxAgeReason'");
    }

    [Fact]
    public void A_reason_next_to_days_is_rejected()
    {
        string json = Minimal.Edit(MaxAgeLine, MaxAgeLine + "      \"consentMaxAgeReason\": \"because\",\n");
        ExpectSingle(json, "\"consentMaxAgeReason\"", "'consentMaxAgeReason' of purpose 'positioning' explains only \"consentMaxAge\": \"none\"; remove it");
    }

    [Fact]
    public void A_max_age_on_a_purpose_without_consent_is_rejected()
    {
        string policy = System.Text.Encoding.UTF8.GetString(DefaultPolicyBytes());
        string json = policy.Edit("\"consentRequired\": false,\n      \"legalBasis\": \"anonymized\",", "\"consentRequired\": false,\n      \"legalBasis\": \"anonymized\",\n      \"consentMaxAge\": \"30d\",");
        ExpectSingle(json, "\"consentMaxAge\": \"30d\"", "'consentMaxAge' of purpose 'analytics' applies only to a purpose with \"consentRequired\": true; remove it");
    }

    [Fact]
    public void The_shipped_policy_gives_every_consent_purpose_a_year()
    {
        CompiledPolicy policy = PolicyLoader.LoadDefault();
        foreach (PurposePlan plan in policy.Purposes)
        {
            Assert.Equal(plan.ConsentRequired ? TimeSpan.FromDays(365) : null, plan.ConsentMaxAge);
        }

        Assert.Contains(policy.Purposes, p => p.ConsentRequired);
    }

    private static byte[] DefaultPolicyBytes()
    {
        using Stream stream = typeof(PolicyLoader).Assembly.GetManifestResourceStream(PolicyLoader.DefaultResourceName)!;
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
