using System.Text.Json;
using Sieve.Commands.Bench;
using Sieve.Testing.Cli;
using Sieve.Testing.EndToEnd;

namespace Sieve.IntegrationTests.Bench;

/// <summary>A small bench run end to end; it asserts what was counted, never how fast.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class BenchRunTests
{
    [Fact]
    public async Task A_small_run_accounts_for_every_input_in_both_runs_and_the_paced_one()
    {
        string json = Path.Combine(Directory.CreateTempSubdirectory("sieve-bench-test-").FullName, "report.json");

        CliResult result = await CliRunner.RunAsync("bench", "--events", "3000", "--partitions", "4", "--rate", "1000", "--json", json);

        Assert.True(result.ExitCode == 0, result.All);
        Assert.Contains("OK: every input accounted for", result.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("VOID", result.Out, StringComparison.Ordinal);
        using JsonDocument report = JsonDocument.Parse(await File.ReadAllTextAsync(json));
        JsonElement root = report.RootElement;
        Assert.False(root.GetProperty("void").GetBoolean());
        Assert.Equal("redis", root.GetProperty("consentStore").GetString());

        JsonElement pass = root.GetProperty("passThrough");
        JsonElement minimizer = root.GetProperty("minimizer");
        foreach (JsonElement run in new[] { pass, minimizer })
        {
            Assert.Equal(3000, run.GetProperty("inputs").GetInt64());
            Assert.Equal(3000, run.GetProperty("auditedInputs").GetInt64());
            Assert.Equal(run.GetProperty("outputsExpected").GetInt64(), run.GetProperty("outputsRead").GetInt64());
            Assert.True(run.GetProperty("auditRecords").GetInt64() > 0);
        }

        // Both runs wrote the same number of records: the pass-through's fan-out is the minimizer's.
        long expected = minimizer.GetProperty("outputsExpected").GetInt64();
        Assert.Equal(expected, pass.GetProperty("outputsRead").GetInt64());
        Assert.InRange(expected, 3000, 3 * 3000);

        // --rate gives one paced level at that rate.
        JsonElement levels = root.GetProperty("latency");
        Assert.Equal(1, levels.GetArrayLength());
        JsonElement paced = levels[0];
        Assert.Equal(1000, paced.GetProperty("rate").GetInt32());
        Assert.Equal(3000, paced.GetProperty("produced").GetInt64());
        JsonElement audit = paced.GetProperty("audit");
        Assert.Equal(3000, audit.GetProperty("inputs").GetInt64());
        Assert.Equal(0, audit.GetProperty("unbalanced").GetInt64());
        JsonElement written = audit.GetProperty("written");
        JsonElement outputs = paced.GetProperty("outputs");
        foreach (JsonProperty purpose in outputs.EnumerateObject())
        {
            Assert.Equal(written.GetProperty(purpose.Name).GetInt64(), purpose.Value.GetInt64());
        }

        Assert.Equal(audit.GetProperty("quarantined").GetInt64(), paced.GetProperty("quarantineRead").GetInt64());
        long samples = paced.GetProperty("samples").GetInt64();
        Assert.InRange(samples, 1, outputs.GetProperty("positioning").GetInt64());
        Assert.True(paced.GetProperty("p99Ms").GetDouble() >= paced.GetProperty("p50Ms").GetDouble());
        Assert.True(paced.GetProperty("p999Ms").GetDouble() >= paced.GetProperty("p99Ms").GetDouble());

        // The breakdown names every stage, and the engine committed batches in the measured span.
        Assert.True(paced.GetProperty("batches").GetInt64() > 0);
        string[] stages = [.. paced.GetProperty("stages").EnumerateArray().Select(s => s.GetProperty("stage").GetString()!)];
        Assert.Equal(StageBreakdown.Stages, stages);
        Assert.All(paced.GetProperty("stages").EnumerateArray(), s => Assert.Equal(JsonValueKind.Number, s.GetProperty("p50Ms").ValueKind));
        Assert.Equal("Adaptive", root.GetProperty("batchPolicy").ToString());

        // The same level through the raw pass-through: every input audited, every copy the fan-out called for read back.
        JsonElement floors = root.GetProperty("floor");
        Assert.Equal(1, floors.GetArrayLength());
        JsonElement floor = floors[0];
        Assert.Equal(1000, floor.GetProperty("rate").GetInt32());
        Assert.Equal(3000, floor.GetProperty("produced").GetInt64());
        Assert.Equal(3000, floor.GetProperty("auditedInputs").GetInt64());
        long copies = floor.GetProperty("copiesExpected").GetInt64();
        Assert.InRange(copies, 3000, 3 * 3000);
        Assert.Equal(copies, floor.GetProperty("copiesRead").GetInt64());
        Assert.InRange(floor.GetProperty("samples").GetInt64(), 1, 3000);
        Assert.True(floor.GetProperty("batches").GetInt64() > 0);
        Assert.True(floor.GetProperty("p99Ms").GetDouble() >= floor.GetProperty("p50Ms").GetDouble());
        Assert.Contains("through the raw pass-through", result.Out, StringComparison.Ordinal);
    }
}
