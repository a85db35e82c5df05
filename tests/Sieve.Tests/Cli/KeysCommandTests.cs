using System.Text.Json;
using Sieve.Contracts.Identifiers;
using Sieve.Contracts.Pseudonymization;
using Sieve.Testing.Cli;

namespace Sieve.Tests.Cli;

// Keys files are owner-only through Unix file modes.
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class KeysCommandTests : IDisposable
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private readonly string _directory = Directory.CreateTempSubdirectory("sieve-cli-keys-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Generate_writes_an_owner_only_file_and_prints_only_the_key_id()
    {
        string path = Path.Combine(_directory, "keys.json");

        CliResult result = await CliRunner.RunAsync("keys", "generate", "--id", "k1", "--out", path);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(path));
        Assert.Contains("'k1'", result.Out, StringComparison.Ordinal);
        string secret = SecretOf(path, "k1");
        Assert.NotEmpty(secret);
        Assert.DoesNotContain(secret, result.All, StringComparison.Ordinal);
        Assert.DoesNotContain(secret[..12], result.All, StringComparison.Ordinal);

        MasterKeyRing ring = MasterKeyRing.Load(path, null);
        Assert.Equal("k1", ring.Active.Id);
        Assert.False(ring.IsDemo);
    }

    [Fact]
    public async Task Generate_refuses_to_overwrite_without_force()
    {
        string path = Path.Combine(_directory, "keys.json");
        Assert.Equal(0, (await CliRunner.RunAsync("keys", "generate", "--out", path)).ExitCode);
        string first = File.ReadAllText(path);

        CliResult again = await CliRunner.RunAsync("keys", "generate", "--out", path);

        string line = CliRunner.SingleErrorLine(again, 2);
        Assert.Contains("--force", line, StringComparison.Ordinal);
        Assert.Equal(first, File.ReadAllText(path));

        CliResult forced = await CliRunner.RunAsync("keys", "generate", "--out", path, "--force");

        Assert.Equal(0, forced.ExitCode);
        Assert.NotEqual(SecretOf(path, "k1"), SecretOfText(first, "k1"));
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(path));
        Assert.Empty(Directory.GetFiles(_directory, "*.tmp"));
    }

    [Fact]
    public async Task Generate_rejects_a_bad_key_id()
    {
        CliResult result = await CliRunner.RunAsync("keys", "generate", "--id", "k 1", "--out", Path.Combine(_directory, "keys.json"));

        CliRunner.SingleErrorLine(result, 2);
        Assert.False(File.Exists(Path.Combine(_directory, "keys.json")));
    }

    [Fact]
    public async Task Rotate_adds_an_active_key_and_keeps_old_pseudonyms_derivable()
    {
        string path = Path.Combine(_directory, "keys.json");
        Assert.Equal(0, (await CliRunner.RunAsync("keys", "generate", "--id", "k1", "--out", path)).ExitCode);
        string before;
        using (PseudonymKey key = new PseudonymKeyFactory(MasterKeyRing.Load(path, null)).Create("positioning", PseudonymKeyFactory.StableEpoch))
        {
            before = key.ComputeString(SubjectType.Vin, "LSVAU218XN2183294");
        }

        File.SetUnixFileMode(path, OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        CliResult result = await CliRunner.RunAsync("keys", "rotate", "--file", path, "--id", "k2");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(path));
        Assert.Contains("'k2'", result.Out, StringComparison.Ordinal);
        Assert.DoesNotContain(SecretOf(path, "k1"), result.All, StringComparison.Ordinal);
        Assert.DoesNotContain(SecretOf(path, "k2"), result.All, StringComparison.Ordinal);

        MasterKeyRing ring = MasterKeyRing.Load(path, null);
        Assert.Equal("k2", ring.Active.Id);
        Assert.Equal(["k2", "k1"], ring.Keys.Select(k => k.Id));
        var factory = new PseudonymKeyFactory(ring);
        Assert.True(ring.TryGetKey("k1", out MasterKey? old));
        using (PseudonymKey oldKey = factory.Create("positioning", PseudonymKeyFactory.StableEpoch, old))
        {
            Assert.Equal(before, oldKey.ComputeString(SubjectType.Vin, "LSVAU218XN2183294"));
        }

        using PseudonymKey newKey = factory.Create("positioning", PseudonymKeyFactory.StableEpoch);
        Assert.Equal("k2/positioning/stable", newKey.KeyId);
        Assert.NotEqual(before, newKey.ComputeString(SubjectType.Vin, "LSVAU218XN2183294"));
    }

    [Fact]
    public async Task Rotate_to_an_id_already_there_is_refused_and_changes_nothing()
    {
        string path = Path.Combine(_directory, "keys.json");
        Assert.Equal(0, (await CliRunner.RunAsync("keys", "generate", "--id", "k1", "--out", path)).ExitCode);
        string content = File.ReadAllText(path);

        CliResult result = await CliRunner.RunAsync("keys", "rotate", "--file", path, "--id", "k1");

        string line = CliRunner.SingleErrorLine(result, 2);
        Assert.Contains("k1", line, StringComparison.Ordinal);
        Assert.Equal(content, File.ReadAllText(path));
    }

    [Fact]
    public async Task Rotate_of_a_missing_file_is_one_usage_error()
    {
        CliResult result = await CliRunner.RunAsync("keys", "rotate", "--file", Path.Combine(_directory, "absent.json"), "--id", "k2");

        string line = CliRunner.SingleErrorLine(result, 2);
        Assert.Contains("does not exist; give --file a keys file made by 'sieve keys generate'", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Generate_usage_names_the_services_setting_Keys_Path()
    {
        CliResult result = await CliRunner.RunAsync("keys", "generate", "--help");

        Assert.Contains("Keys:Path", result.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("Keys:File", result.Out, StringComparison.Ordinal);
    }

    private static string SecretOf(string path, string id) => SecretOfText(File.ReadAllText(path), id);

    private static string SecretOfText(string json, string id)
    {
        using JsonDocument document = JsonDocument.Parse(json);
        JsonElement key = Assert.Single(document.RootElement.GetProperty("keys").EnumerateArray(), k => k.GetProperty("id").GetString() == id);
        return key.GetProperty("secret").GetString()!;
    }
}
