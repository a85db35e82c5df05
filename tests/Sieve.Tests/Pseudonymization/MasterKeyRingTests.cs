using System.Security.Cryptography;
using System.Text.Json;
using Sieve.Contracts.Identifiers;
using Sieve.Contracts.Pseudonymization;
using Sieve.Contracts.Purposes;
using Sieve.Testing.Pseudonymization;

namespace Sieve.Tests.Pseudonymization;

public sealed class MasterKeyRingTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("sieve-keys-").FullName;
    private readonly string _secret1 = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private readonly string _secret2 = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Loads_a_keys_file_with_the_active_key_first()
    {
        string path = Write($$"""{"activeKeyId":"k2","keys":[{"id":"k1","secret":"{{_secret1}}"},{"id":"k2","secret":"{{_secret2}}","created":"2026-11-01"}]}""");
        MasterKeyRing ring = MasterKeyRing.Load(path, "ignored:" + _secret1);
        Assert.Equal("k2", ring.Active.Id);
        Assert.Equal(["k2", "k1"], ring.Keys.Select(k => k.Id));
        Assert.Equal(Convert.FromBase64String(_secret2), ring.Active.Secret.ToArray());
        Assert.False(ring.IsDemo);
        Assert.True(ring.TryGetKey("k1", out MasterKey? k1));
        Assert.Equal(Convert.FromBase64String(_secret1), k1.Secret.ToArray());
        Assert.False(ring.TryGetKey("k3", out _));
    }

    [Fact]
    public void Loads_the_environment_value_with_the_first_key_active()
    {
        MasterKeyRing ring = MasterKeyRing.Load(null, $" k1:{_secret1} , k0:{_secret2}");
        Assert.Equal("k1", ring.Active.Id);
        Assert.Equal(["k1", "k0"], ring.Keys.Select(k => k.Id));
        Assert.Equal(Convert.FromBase64String(_secret1), ring.Active.Secret.ToArray());
        Assert.Equal(Convert.FromBase64String(_secret2), ring.Keys[1].Secret.ToArray());
    }

    [Fact]
    public void File_and_environment_with_the_same_secret_make_the_same_pseudonyms()
    {
        string path = Write($$"""{"activeKeyId":"k1","keys":[{"id":"k1","secret":"{{_secret1}}"}]}""");
        using PseudonymKey fromFile = new PseudonymKeyFactory(MasterKeyRing.Load(path, null)).Create(KnownPurposes.Analytics, "2026-11-25");
        using PseudonymKey fromEnv = new PseudonymKeyFactory(MasterKeyRing.Load(" ", "k1:" + _secret1)).Create(KnownPurposes.Analytics, "2026-11-25");
        Assert.Equal(fromFile.ComputeString(SubjectType.Vin, "1M8GDM9AXKP042788"), fromEnv.ComputeString(SubjectType.Vin, "1M8GDM9AXKP042788"));
    }

    [Fact]
    public void Generated_JSON_loads_as_a_fresh_one_key_ring()
    {
        string json = MasterKeyRing.GenerateJson("k7");
        using (JsonDocument document = JsonDocument.Parse(json))
        {
            Assert.Equal("k7", document.RootElement.GetProperty("activeKeyId").GetString());
            Assert.Equal(32, document.RootElement.GetProperty("keys")[0].GetProperty("secret").GetBytesFromBase64().Length);
        }

        MasterKeyRing ring = MasterKeyRing.Load(Write(json), null);
        Assert.Equal("k7", ring.Active.Id);
        Assert.Single(ring.Keys);
        Assert.NotEqual(json, MasterKeyRing.GenerateJson("k7"));
        Assert.Throws<ArgumentException>(() => MasterKeyRing.GenerateJson("k/7"));
    }

    [Fact]
    public void Demo_ring_is_fixed_and_marked()
    {
        MasterKeyRing a = MasterKeyRing.CreateDemo();
        MasterKeyRing b = MasterKeyRing.CreateDemo();
        Assert.Equal("demo-1", a.Active.Id);
        Assert.True(a.IsDemo);
        Assert.Equal(a.Active.Secret.ToArray(), b.Active.Secret.ToArray());
        Assert.Equal(SHA256.HashData("sieve/demo-master-key/v1: public, for the demo and tests only"u8), a.Active.Secret.ToArray());
        Assert.Equal("MasterKeyRing(active=demo-1; keys=demo-1; demo)", a.ToString());
    }

    [Fact]
    public void To_string_shows_ids_only()
    {
        MasterKeyRing ring = MasterKeyRing.Load(null, $"k1:{_secret1},k2:{_secret2}");
        Assert.Equal("MasterKey(k1)", ring.Active.ToString());
        Assert.Equal("MasterKeyRing(active=k1; keys=k1,k2)", ring.ToString());
        AssertNoSecret(ring.ToString());
        AssertNoSecret(ring.Keys[1].ToString());
    }

    [Fact]
    public void No_source_names_the_variable()
    {
        KeyRingException e = Assert.Throws<KeyRingException>(() => MasterKeyRing.Load(null, null));
        Assert.Contains("SIEVE_MASTER_KEYS", e.Message);
        Assert.Throws<KeyRingException>(() => MasterKeyRing.Load("", "  "));
    }

    [Fact]
    public void Missing_file_names_the_path()
    {
        string path = Path.Combine(_directory, "absent.json");
        KeyRingException e = Assert.Throws<KeyRingException>(() => MasterKeyRing.Load(path, "k1:" + _secret1));
        Assert.Contains(path, e.Message);
        Assert.Contains("does not exist", e.Message);
    }

    public static TheoryData<string, string> BadFiles => new()
    {
        { """{"activeKeyId":"k1","keys":[{"id":"k1","secret":"@S"}""", "not valid JSON" },
        { """{"activeKeyId":"k1","keys":[{"id":"k1","secret":@S}]}""", "not valid JSON" },
        { """["@S"]""", "top level must be a JSON object" },
        { """{"keys":[{"id":"k1","secret":"@S"}]}""", "'activeKeyId' must be a string" },
        { """{"activeKeyId":"k1","keys":{"id":"k1","secret":"@S"}}""", "'keys' must be an array" },
        { """{"activeKeyId":"k1","keys":[]}""", "'keys' must hold 1 to" },
        { """{"activeKeyId":"k1","keys":[{"secret":"@S"}]}""", "keys[0].id must be a string" },
        { """{"activeKeyId":"k1","keys":[{"id":"@S","secret":"@S"}]}""", "keys[0].id must be 1 to 64" },
        { """{"activeKeyId":"k1","keys":[{"id":"k1","secret":"@S!"}]}""", "keys[0].secret is not valid base64" },
        { """{"activeKeyId":"k1","keys":[{"id":"k1","secret":"@16"}]}""", "keys[0].secret decodes to 16 bytes" },
        { """{"activeKeyId":"k1","keys":[{"id":"k1","secret":"@S"},{"id":"k1","secret":"@S"}]}""", "keys[1].id repeats keys[0].id" },
        { """{"activeKeyId":"@S","keys":[{"id":"k1","secret":"@S"}]}""", "'activeKeyId' names no key" },
        { """{"activeKeyId":"k1","activeKeyId":"k1","keys":[{"id":"k1","secret":"@S"}]}""", "not valid JSON" },
    };

    [Theory]
    [MemberData(nameof(BadFiles))]
    public void Bad_keys_files_are_specific_and_never_quote_the_secret(string template, string expected)
    {
        string path = Write(Fill(template));
        KeyRingException e = Assert.Throws<KeyRingException>(() => MasterKeyRing.Load(path, null));
        Assert.Contains("Keys file '" + path + "'", e.Message);
        Assert.Contains(expected, e.Message);
        AssertNoSecret(e.ToString());
    }

    // Harness keys-file (fuzz/Sieve.Fuzz.Harnesses/KeysFileHarness.cs), minimized from its crash inputs: a value byte that
    // is not UTF-8, an unpaired surrogate escape in a property name and one in a key id. JsonDocument accepts all three
    // and reading them threw InvalidOperationException out of the loader instead of a KeyRingException.
    private static readonly byte[] InvalidUtf8ActiveKeyId = [0x7B, 0x22, 0x61, 0x63, 0x74, 0x69, 0x76, 0x65, 0x4B, 0x65, 0x79, 0x49, 0x64, 0x22, 0x3A, 0x22, 0x87, 0x31, 0x22, 0x2C, 0x22, 0x6B, 0x65, 0x79, 0x73, 0x22, 0x3A, 0x5B, 0x5D, 0x7D];
    private static readonly byte[] LoneSurrogateInPropertyName = [0x7B, 0x22, 0x61, 0x63, 0x74, 0x69, 0x76, 0x65, 0x4B, 0x65, 0x79, 0x49, 0x64, 0x5C, 0x75, 0x64, 0x38, 0x30, 0x30, 0x22, 0x3A, 0x22, 0x6B, 0x31, 0x22, 0x7D];
    private static readonly byte[] LoneSurrogateInKeyId = [0x7B, 0x22, 0x61, 0x63, 0x74, 0x69, 0x76, 0x65, 0x4B, 0x65, 0x79, 0x49, 0x64, 0x22, 0x3A, 0x22, 0x6B, 0x31, 0x22, 0x2C, 0x22, 0x6B, 0x65, 0x79, 0x73, 0x22, 0x3A, 0x5B, 0x7B, 0x22, 0x69, 0x64, 0x22, 0x3A, 0x22, 0x5C, 0x75, 0x64, 0x63, 0x30, 0x30, 0x22, 0x2C, 0x22, 0x73, 0x65, 0x63, 0x72, 0x65, 0x74, 0x22, 0x3A, 0x22, 0x22, 0x7D, 0x5D, 0x7D];

    [Fact]
    public void Fuzz_regression_undecodable_text_is_a_key_ring_error()
    {
        foreach (byte[] file in new[] { InvalidUtf8ActiveKeyId, LoneSurrogateInPropertyName, LoneSurrogateInKeyId })
        {
            KeyRingException e = Assert.Throws<KeyRingException>(() => KeysFile.Parse(file, "Keys file 'fuzz.json'"));
            Assert.Equal("Keys file 'fuzz.json' holds text that is not valid UTF-8 (or an escape that is an unpaired surrogate).", e.Message);
        }
    }

    public static TheoryData<string, string> BadVariables => new()
    {
        { "@S", "entry 1 has no ':'" },
        { "k1:@S,", "entry 2 is empty" },
        { "k1:@S,k1:@S", "entry 2 repeats the key id of entry 1" },
        { "k1:@S!", "entry 1: the secret is not valid base64" },
        { "k1:@16", "entry 1: the secret decodes to 16 bytes" },
        { "k/1:@S", "entry 1: the key id must be" },
        { "@S:@S", "entry 1: the key id must be" },
    };

    [Theory]
    [MemberData(nameof(BadVariables))]
    public void Bad_variables_are_specific_and_never_quote_the_secret(string template, string expected)
    {
        KeyRingException e = Assert.Throws<KeyRingException>(() => MasterKeyRing.Load(null, Fill(template)));
        Assert.Contains("Environment variable SIEVE_MASTER_KEYS", e.Message);
        Assert.Contains(expected, e.Message);
        AssertNoSecret(e.ToString());
    }

    [Fact]
    public void Master_key_rejects_short_secrets_and_bad_ids()
    {
        Assert.Throws<ArgumentException>(() => new MasterKey("k1", new byte[31]));
        Assert.Throws<ArgumentException>(() => new MasterKey("k1/x", new byte[32]));
        Assert.Throws<ArgumentException>(() => new MasterKey("", new byte[32]));
        Assert.Throws<ArgumentException>(() => new MasterKeyRing([], "k1"));
        Assert.Throws<ArgumentException>(() => new MasterKeyRing([TestRings.RandomKey("k1")], "k2"));
        Assert.Throws<ArgumentException>(() => new MasterKeyRing([TestRings.RandomKey("k1"), TestRings.RandomKey("k1")], "k1"));
    }

    private string Fill(string template) => template
        .Replace("@16", Convert.ToBase64String(Convert.FromBase64String(_secret1).AsSpan(0, 16)), StringComparison.Ordinal)
        .Replace("@S", _secret1, StringComparison.Ordinal);

    private void AssertNoSecret(string text)
    {
        foreach (string secret in new[] { _secret1, _secret2 })
        {
            // Any 8-character run of the base64 would be a leak, not just the whole secret.
            for (int i = 0; i + 8 <= secret.Length; i++)
            {
                Assert.DoesNotContain(secret.Substring(i, 8), text, StringComparison.Ordinal);
            }

            Assert.DoesNotContain(Convert.ToHexString(Convert.FromBase64String(secret)[..8]), text, StringComparison.OrdinalIgnoreCase);
        }
    }

    private string Write(string json)
    {
        string path = Path.Combine(_directory, Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(path, json);
        return path;
    }
}
