using System.Text.Json;
using Sieve.Simulation;
using Sieve.Commands.Demo;

namespace Sieve.IntegrationTests.Cli;

/// <summary>
/// The demo is the first thing a new user runs: a short run end to end (embedded Kafka, redis-server, Ingest over TCP
/// and HTTP, the minimizer) must account for every input and show downstream every record it forwarded.
/// </summary>
public sealed class DemoRunTests
{
    [Fact]
    public async Task A_short_demo_accounts_for_every_input_and_its_downstream_reader_sees_every_forwarded_record()
    {
        string summaryFile = Path.Combine(Path.GetTempPath(), "sieve-demo-" + Guid.NewGuid().ToString("N") + ".json");
        try
        {
            var output = new StringWriter();
            var error = new StringWriter();
            using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(3));

            int exitCode = await DemoCommand.RunAsync(
                ["--seconds", "4", "--rate", "600", "--vehicles", "40", "--visitors", "30", "--plain", "--summary-json", summaryFile],
                output, error, guard.Token);

            Assert.True(exitCode == 0, "exit code " + exitCode + ": " + error);
            using JsonDocument summary = JsonDocument.Parse(await File.ReadAllTextAsync(summaryFile));
            JsonElement root = summary.RootElement;
            Assert.True(root.GetProperty("AllAccountedFor").GetBoolean());
            long produced = root.GetProperty("EventsProduced").GetInt64();
            Assert.True(produced > 0);
            Assert.Equal(produced, root.GetProperty("EventsProcessed").GetInt64());
            Assert.True(root.GetProperty("RecordsAcked").GetInt64() > 0, "no record came over the device socket");

            JsonElement consumed = root.GetProperty("Consumed");
            foreach (JsonProperty purpose in root.GetProperty("Purposes").EnumerateObject())
            {
                long forwarded = purpose.Value.GetProperty("forwarded").GetInt64();
                Assert.True(forwarded > 0, purpose.Name + " got nothing");
                Assert.Equal(forwarded, consumed.GetProperty(purpose.Name + ".v1").GetInt64());
            }
        }
        finally
        {
            File.Delete(summaryFile);
        }
    }
}
