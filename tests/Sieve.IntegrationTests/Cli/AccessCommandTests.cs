using Sieve.Core.Privacy;
using Sieve.Contracts.Identifiers;
using Sieve.Contracts.Purposes;
using Sieve.Core.Consent;
using Sieve.Embedded;
using Sieve.Testing.Cli;
using Sieve.Testing.Privacy;
using Sieve.Testing.Sink;
using Sieve.Testing;
using Sieve.Testing.Consent;

namespace Sieve.IntegrationTests.Cli;

public sealed class AccessCommandTests
{
    [Fact]
    public async Task Access_reports_rows_and_consent_per_purpose_and_never_prints_the_identifier()
    {
        using var records = new MinimizedRecords(seed: 21);
        string vin = await records.ConsentingVehicleAsync();
        string other = await records.ConsentingVehicleAsync();
        await records.DriveAsync(vin, 4);
        await records.DriveAsync(vin, 3, MinimizedRecords.Start + 86_400_000);
        await records.DriveAsync(other, 5);
        using var lake = new LakeWriter();
        await lake.WriteAsync(records.Records);

        using RedisServerProcess redis = await RedisServerProcess.StartNewAsync();
        await using (RedisConsentStore store = await RedisConsentStore.ConnectAsync(TestConsentStoreOptions.For(redis.Configuration)))
        {
            await store.ApplyAsync(new ConsentUpdate(records.Harness.ConsentKey(SubjectType.Vin, vin), KnownPurposes.IndexOf(KnownPurposes.Positioning),
                true, MinimizedRecords.Start - 86_400_000, "2026-11-01", false));
        }

        CliResult text = await CliRunner.RunAsync("access", "--type", "vin", "--id", vin.ToLowerInvariant(), "--lake", lake.Root, "--redis", redis.Configuration, "--demo-keys");

        Assert.True(text.ExitCode == 0, text.Error);
        Assert.Contains("purpose positioning: consent granted since ", text.Out, StringComparison.Ordinal);
        Assert.Contains("(policy 2026-11-01); 7 rows, first ", text.Out, StringComparison.Ordinal);
        Assert.Contains("purpose analytics: consent none; 0 rows", text.Out, StringComparison.Ordinal);
        Assert.Contains("  anonymized: its rows carry random segment pseudonyms, so none can be attributed to the subject", text.Out, StringComparison.Ordinal);
        Assert.Contains("minor: no", text.Out, StringComparison.Ordinal);
        Assert.Contains("erased: no", text.Out, StringComparison.Ordinal);
        RawIdentifierScanner.For([vin]).AssertClean(text.All, "access text output");

        CliResult json = await CliRunner.RunAsync("access", "--type", "vin", "--id", vin, "--lake", lake.Root, "--redis", redis.Configuration, "--demo-keys", "--json");

        Assert.True(json.ExitCode == 0, json.Error);
        using var document = System.Text.Json.JsonDocument.Parse(json.Out);
        var purposes = document.RootElement.GetProperty("purposes").EnumerateArray().ToDictionary(p => p.GetProperty("purpose").GetString()!);
        Assert.Equal(7, purposes["positioning"].GetProperty("rows").GetInt64());
        Assert.Equal("granted", purposes["positioning"].GetProperty("consent").GetProperty("state").GetString());
        Assert.Equal(0, purposes["analytics"].GetProperty("pseudonyms").GetArrayLength());
        Assert.True(purposes["analytics"].GetProperty("anonymized").GetBoolean());
        Assert.False(document.RootElement.GetProperty("erased").GetBoolean());
        RawIdentifierScanner.For([vin]).AssertClean(json.All, "access JSON output");

        await using (RedisConsentStore store = await RedisConsentStore.ConnectAsync(TestConsentStoreOptions.For(redis.Configuration)))
        {
            Assert.True(await store.MarkErasedAsync(records.Harness.ConsentKey(SubjectType.Vin, vin)));
        }

        CliResult erased = await CliRunner.RunAsync("access", "--type", "vin", "--id", vin, "--lake", lake.Root, "--redis", redis.Configuration, "--demo-keys");

        Assert.True(erased.ExitCode == 0, erased.Error);
        Assert.Contains("erased: yes", erased.Out, StringComparison.Ordinal);
        RawIdentifierScanner.For([vin]).AssertClean(erased.All, "access output of an erased subject");
    }

    [Fact]
    public async Task Invalid_identifier_is_one_usage_error_without_the_value()
    {
        CliResult result = await CliRunner.RunAsync("access", "--type", "vin", "--id", "LSVAU2181N2183294", "--lake", Path.GetTempPath(), "--redis", "127.0.0.1:1", "--demo-keys");

        string line = CliRunner.SingleErrorLine(result, 2);
        Assert.Contains("invalid-vin-checksum", line, StringComparison.Ordinal);
        Assert.DoesNotContain("LSVAU2181N2183294", result.All, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Missing_lake_is_one_usage_error_naming_the_option()
    {
        string missing = Path.Combine(Path.GetTempPath(), "sieve-no-lake-" + Guid.NewGuid().ToString("N"));
        CliResult result = await CliRunner.RunAsync("access", "--type", "vin", "--id", "LSVAU218XN2183294", "--lake", missing, "--redis", "127.0.0.1:1", "--demo-keys");

        string line = CliRunner.SingleErrorLine(result, 2);
        Assert.Contains("--lake", line, StringComparison.Ordinal);
        Assert.DoesNotContain("LSVAU218XN2183294", result.All, StringComparison.Ordinal);
    }
}
