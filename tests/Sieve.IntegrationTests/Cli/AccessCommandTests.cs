using Confluent.Kafka;
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
using Sieve.Testing.Harness;

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
    public async Task Export_writes_the_subjects_rows_per_purpose_as_json_lines_and_csv_with_a_manifest_and_counts_what_the_purpose_topics_hold()
    {
        using var records = new MinimizedRecords(seed: 22);
        string vin = await records.ConsentingVehicleAsync();
        string other = await records.ConsentingVehicleAsync();
        await records.DriveAsync(vin, 4);
        await records.DriveAsync(vin, 3, MinimizedRecords.Start + 86_400_000);
        await records.DriveAsync(other, 5);
        using var lake = new LakeWriter();
        await lake.WriteAsync(records.Records);
        using MockKafkaCluster cluster = MockKafkaCluster.Start();
        foreach (string topic in records.Records.Select(r => r.Topic).Distinct())
        {
            cluster.CreateTopic(topic, 2);
        }

        using (IProducer<byte[], byte[]> producer = KafkaTestClient.CreateProducer(cluster.BootstrapServers))
        {
            foreach ((_, string topic, byte[] key, byte[] value) in records.Records)
            {
                await producer.ProduceAsync(topic, new Message<byte[], byte[]> { Key = key, Value = value });
            }
        }

        using RedisServerProcess redis = await RedisServerProcess.StartNewAsync();
        string export = Path.Combine(Path.GetTempPath(), "sieve-export-" + Guid.NewGuid().ToString("N"));
        try
        {
            CliResult text = await CliRunner.RunAsync("access", "--type", "vin", "--id", vin, "--lake", lake.Root, "--redis", redis.Configuration, "--demo-keys",
                "--export", export, "--bootstrap", cluster.BootstrapServers, "--property", "client.id=sieve-access-export");

            Assert.True(text.ExitCode == 0, text.Error);
            Assert.Contains("export: ", text.Out, StringComparison.Ordinal);
            Assert.Contains("  positioning: 7 rows in positioning.jsonl and positioning.csv; ", text.Out, StringComparison.Ordinal);
            Assert.Contains("  analytics: anonymized, nothing attributable to the subject", text.Out, StringComparison.Ordinal);
            RawIdentifierScanner.For([vin]).AssertClean(text.All, "access --export output");
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(export));
            }

            using var manifest = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(export, "manifest.json")));
            Assert.Equal("vin", manifest.RootElement.GetProperty("subjectType").GetString());
            var purposes = manifest.RootElement.GetProperty("purposes").EnumerateArray().ToDictionary(p => p.GetProperty("purpose").GetString()!);
            int exportedPurposes = 0;
            foreach ((string purpose, System.Text.Json.JsonElement entry) in purposes)
            {
                long rows = entry.GetProperty("lakeRows").GetInt64();
                var pseudonyms = entry.GetProperty("pseudonyms").EnumerateArray().ToDictionary(p => p.GetProperty("pseudonym").GetString()!);
                Assert.All(pseudonyms.Values, p => Assert.NotEqual(0, p.GetProperty("keyIds").GetArrayLength()));
                string topic = entry.GetProperty("topic").GetProperty("name").GetString()!;
                if (entry.GetProperty("anonymized").GetBoolean())
                {
                    Assert.Equal(0, rows);
                    Assert.Empty(pseudonyms);
                    continue;
                }

                // The topic count is what the topic holds under the subject's pseudonyms.
                long expectedInTopic = records.Records.Count(r => r.Topic == topic && pseudonyms.ContainsKey(System.Text.Encoding.ASCII.GetString(r.Key)));
                Assert.Equal(expectedInTopic, entry.GetProperty("topic").GetProperty("records").GetInt64());
                if (rows == 0)
                {
                    Assert.Equal(System.Text.Json.JsonValueKind.Null, entry.GetProperty("files").GetProperty("jsonLines").ValueKind);
                    continue;
                }

                exportedPurposes++;
                Assert.Equal(rows, pseudonyms.Values.Sum(p => p.GetProperty("lakeRows").GetInt64()));
                string[] lines = File.ReadAllLines(Path.Combine(export, entry.GetProperty("files").GetProperty("jsonLines").GetString()!));
                Assert.Equal(rows, lines.Length);
                Assert.All(lines, line =>
                {
                    using var row = System.Text.Json.JsonDocument.Parse(line);
                    Assert.Contains(row.RootElement.GetProperty("subject").GetString()!, pseudonyms.Keys);
                });
                string[] csv = File.ReadAllLines(Path.Combine(export, entry.GetProperty("files").GetProperty("csv").GetString()!));
                Assert.Equal(rows + 1, csv.Length);
                Assert.Contains("subject", csv[0].Split(','));
                if (!OperatingSystem.IsWindows())
                {
                    Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(export, purpose + ".csv")));
                }
            }

            Assert.Equal(7, purposes["positioning"].GetProperty("lakeRows").GetInt64());
            Assert.True(purposes["positioning"].GetProperty("topic").GetProperty("records").GetInt64() > 0);
            Assert.True(exportedPurposes >= 2);
            foreach (string file in Directory.EnumerateFiles(export))
            {
                RawIdentifierScanner.For([vin]).AssertClean(File.ReadAllBytes(file), "export file " + Path.GetFileName(file));
            }

            // The export goes to a new or empty directory only.
            CliResult again = await CliRunner.RunAsync("access", "--type", "vin", "--id", vin, "--lake", lake.Root, "--redis", redis.Configuration, "--demo-keys", "--export", export);
            Assert.Contains("--export", CliRunner.SingleErrorLine(again, 2), StringComparison.Ordinal);
        }
        finally
        {
            if (Directory.Exists(export))
            {
                Directory.Delete(export, recursive: true);
            }
        }
    }

    [Fact]
    public async Task Invalid_identifier_is_one_usage_error_without_the_value()
    {
        CliResult result = await CliRunner.RunAsync("access", "--type", "vin", "--id", "LSVAU2181N2183294", "--lake", Path.GetTempPath(), "--redis", "127.0.0.1:1", "--demo-keys");

        string line = CliRunner.SingleErrorLine(result, 2);
        Assert.Contains("invalid-vin-checksum", line, StringComparison.Ordinal);
        Assert.DoesNotContain("LSVAU2181N2183294", result.All, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("--property client.id=sieve-access", "--property and --properties go with --bootstrap")]
    [InlineData("--bootstrap 127.0.0.1:1 --property security.protocol=s3cret", "Kafka client property 'security.protocol' is not a librdkafka property or its value is not usable")]
    public async Task Client_properties_go_with_bootstrap_and_a_bad_one_is_one_usage_error_naming_it(string arguments, string expected)
    {
        CliResult result = await CliRunner.RunAsync(["access", "--type", "vin", "--id", "LSVAU218XN2183294", "--lake", Path.GetTempPath(), "--redis", "127.0.0.1:1",
            "--demo-keys", .. arguments.Split(' ')]);

        string line = CliRunner.SingleErrorLine(result, 2);
        Assert.Contains(expected, line, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", result.All, StringComparison.Ordinal);
        Assert.DoesNotContain("LSVAU218XN2183294", result.All, StringComparison.Ordinal);
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
