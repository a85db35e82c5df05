using Sieve.Core.Consent;
using Sieve.Core.Engine;
using Sieve.Core.Pipeline;

namespace Sieve.Commands.Demo;

/// <summary>The live state of a demo run that the view and the summary read.</summary>
public sealed class DemoRun(DemoOptions options, string storeKind, MinimizerEngine engine, OutputWatcher watcher, ConsentLoader loader, ConsentCache cache)
{
    /// <summary>Options of the run.</summary>
    public DemoOptions Options { get; } = options;

    /// <summary><c>redis</c> or <c>in-memory</c>.</summary>
    public string StoreKind { get; } = storeKind;

    /// <summary>The minimizer.</summary>
    public MinimizerEngine Engine { get; } = engine;

    /// <summary>The downstream reader.</summary>
    public OutputWatcher Watcher { get; } = watcher;

    /// <summary>The consent loader.</summary>
    public ConsentLoader Loader { get; } = loader;

    /// <summary>The consent near-cache.</summary>
    public ConsentCache Cache { get; } = cache;

    /// <summary>Devices and gateways talking to Ingest over TCP and HTTP; null until they start.</summary>
    public Sieve.Commands.Load.LoadStats? Devices { get; set; }

    /// <summary>Raw events produced straight to Kafka (the dealer feed and the misbehaving producer).</summary>
    public long DirectProduced { get; set; }

    /// <summary>Raw events produced so far: acknowledged device records, accepted gateway records, direct produces.</summary>
    public long Produced { get; set; }

    /// <summary>Withdrawals published.</summary>
    public int Withdrawals { get; set; }

    /// <summary>Wall time of the run, set when it ends.</summary>
    public TimeSpan Elapsed { get; set; }

    /// <summary>Records forwarded to all purposes (committed).</summary>
    public long ForwardedTotal() => Engine.Stats.Total(Outcome.Forwarded) + (Release?.Stats.Total(Outcome.Forwarded) ?? 0);

    /// <summary>The release stage of the anonymized purposes; null until the run starts.</summary>
    public Sieve.Core.Anonymization.ReleaseEngine? Release { get; init; }

    /// <summary>The minimizer's core: its plans (with their legal bases) and the recall escrow entries it sealed.</summary>
    public MinimizerCore? Core { get; init; }

    /// <summary>The embedded schema registry's URL with <c>--format confluent</c>; null for single-object.</summary>
    public string? RegistryUrl { get; init; }

    /// <summary>Records the Minimizer handed to release stages.</summary>
    public long HeldTotal() => Engine.Stats.Total(Outcome.HeldForRelease);

    /// <summary>Held records the release stage has decided and committed.</summary>
    public long ReleaseDecided() => Release?.Stats.Inputs ?? 0;

    /// <summary>Records the watcher has read from purpose topics.</summary>
    public long ConsumedOutputs()
    {
        long total = 0;
        foreach (KeyValuePair<string, long> pair in Watcher.Consumed)
        {
            if (!pair.Key.StartsWith("quarantine", StringComparison.Ordinal))
            {
                total += pair.Value;
            }
        }

        return total;
    }
}
