using Sieve.Commands.Demo;
using Sieve.Contracts.Records;
using Sieve.Contracts;
using Sieve.Simulation;

namespace Sieve.Commands.Bench;

/// <summary>
/// The raw messages both throughput runs read: generated once by the demo's synthetic fleet (the same identities,
/// consent mix and one deliberately bad input in 250), spread round-robin over each input topic's partitions, so
/// every partition's offsets are known before anything is produced.
/// </summary>
public sealed class BenchInputs
{
    private readonly int[][] _perPartition;

    private BenchInputs(List<BenchInput> messages, int partitions, List<ConsentChangeData> consent, FleetSimulator fleet)
    {
        Messages = messages;
        Partitions = partitions;
        Consent = consent;
        Fleet = fleet;
        _perPartition = [new int[partitions], new int[partitions]];
        foreach (BenchInput m in messages)
        {
            _perPartition[m.Input][m.Partition]++;
        }
    }

    /// <summary>The messages, in produce order.</summary>
    public IReadOnlyList<BenchInput> Messages { get; }

    /// <summary>Partitions of each input topic.</summary>
    public int Partitions { get; }

    /// <summary>The population's consent decisions (effective an hour before the events).</summary>
    public IReadOnlyList<ConsentChangeData> Consent { get; }

    /// <summary>The population; the paced run draws its events from it.</summary>
    public FleetSimulator Fleet { get; }

    /// <summary>Messages of input <paramref name="input"/> in <paramref name="partition"/>.</summary>
    public int Count(int input, int partition) => _perPartition[input][partition];

    /// <summary>Generates <see cref="BenchOptions.Events"/> messages stamped <paramref name="nowMillis"/>.</summary>
    public static BenchInputs Generate(BenchOptions options, long nowMillis)
    {
        ArgumentNullException.ThrowIfNull(options);
        var fleet = new FleetSimulator(new FleetOptions { Vehicles = options.Vehicles, Visitors = options.Visitors, Seed = options.Seed });
        List<ConsentChangeData> consent = [.. fleet.InitialConsent(nowMillis)];
        var messages = new List<BenchInput>(options.Events);
        int[] next = new int[2];
        for (int i = 0; i < options.Events; i++)
        {
            RawMessage m = fleet.Next(nowMillis);
            int input = m.Topic == Topics.TelematicsRaw ? 0 : 1;
            int partition = next[input];
            next[input] = (partition + 1) % options.Partitions;
            messages.Add(new BenchInput(input, partition, m.Key, m.Value));
        }

        return new BenchInputs(messages, options.Partitions, consent, fleet);
    }
}
