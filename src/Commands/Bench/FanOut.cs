using Sieve.Contracts.Pseudonymization;
using Sieve.Core.Consent;
using Sieve.Core.Engine;
using Sieve.Core.Pipeline;
using Sieve.Core.Policy;

namespace Sieve.Commands.Bench;

/// <summary>
/// What the minimizer writes for each input, found by running the same inputs through <see cref="MinimizerCore"/>
/// with the same consent beforehand: one bit per purpose it forwards to, or the quarantine bit. The raw
/// pass-through copies each input to exactly those topics, so both runs write the same number of records.
/// </summary>
public sealed class FanOut
{
    /// <summary>The bit of a quarantined input.</summary>
    public const byte QuarantineBit = 0x80;

    private readonly byte[][][] _masks;

    private FanOut(byte[][][] masks, long[] copies, long[] minimizedBytes, int planCount)
    {
        _masks = masks;
        Copies = copies;
        MinimizedBytes = minimizedBytes;
        PlanCount = planCount;
    }

    /// <summary>Number of purposes.</summary>
    public int PlanCount { get; }

    /// <summary>Records per copy topic: one per purpose (plan order), then quarantined inputs.</summary>
    public IReadOnlyList<long> Copies { get; }

    /// <summary>Bytes (key and value) the minimizer writes per purpose.</summary>
    public IReadOnlyList<long> MinimizedBytes { get; }

    /// <summary>Total records written for all inputs (purpose records and quarantine records).</summary>
    public long TotalCopies
    {
        get
        {
            long total = 0;
            foreach (long c in Copies)
            {
                total += c;
            }

            return total;
        }
    }

    /// <summary>The mask of the input at <paramref name="offset"/> of <paramref name="partition"/> of input topic <paramref name="input"/>.</summary>
    public byte Mask(int input, int partition, long offset) => _masks[input][partition][offset];

    /// <summary>Runs <paramref name="inputs"/> through a fresh core with an in-memory store holding their consent.</summary>
    public static async Task<FanOut> DeriveAsync(BenchInputs inputs, CompiledPolicy policy, PseudonymKeyFactory keyFactory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(policy);
        var store = new InMemoryConsentStore();
        await ConsentSeeder.ApplyAsync(store, inputs.Consent, keyFactory, cancellationToken).ConfigureAwait(false);
        using OfflineMinimizer minimizer = new MinimizerPipelineBuilder(store, policy, keyFactory).BuildOffline();
        ConsentCache cache = minimizer.Cache;
        MinimizerCore core = minimizer.Core;
        int plans = core.Plans.Count;
        if (plans > 7)
        {
            throw new InvalidOperationException("The bench supports policies of at most 7 purposes; this one has " + plans + ".");
        }

        byte[][][] masks = new byte[2][][];
        int[][] next = new int[2][];
        for (int input = 0; input < 2; input++)
        {
            masks[input] = new byte[inputs.Partitions][];
            next[input] = new int[inputs.Partitions];
            for (int p = 0; p < inputs.Partitions; p++)
            {
                masks[input][p] = new byte[inputs.Count(input, p)];
            }
        }

        long[] copies = new long[plans + 1];
        var sink = new ByteCountingSink(core.Plans);
        var outcomes = new Outcome[plans];
        foreach (BenchInput m in inputs.Messages)
        {
            InputKind kind = m.Input == 0 ? InputKind.Telematics : InputKind.Wifi;
            ProcessStatus status;
            while ((status = core.Process(kind, m.Value, sink, outcomes, out _, out string? key)) == ProcessStatus.NeedsConsent)
            {
                await cache.FetchAsync([key!], cancellationToken).ConfigureAwait(false);
            }

            byte mask = 0;
            if (status == ProcessStatus.Quarantined)
            {
                mask = QuarantineBit;
                copies[plans]++;
            }
            else
            {
                for (int p = 0; p < plans; p++)
                {
                    // A held record is written too (to the purpose's pending topic), so the pass-through copies it.
                    if (outcomes[p] is Outcome.Forwarded or Outcome.HeldForRelease)
                    {
                        mask |= (byte)(1 << p);
                        copies[p]++;
                    }
                }
            }

            masks[m.Input][m.Partition][next[m.Input][m.Partition]++] = mask;
        }

        return new FanOut(masks, copies, sink.Bytes, plans);
    }

    private sealed class ByteCountingSink(IReadOnlyList<PurposePlan> plans) : IMinimizedRecordSink
    {
        public long[] Bytes { get; } = new long[plans.Count];

        public void Forward(PurposePlan plan, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
        {
            for (int p = 0; p < Bytes.Length; p++)
            {
                if (ReferenceEquals(plan, plans[p]))
                {
                    Bytes[p] += key.Length + value.Length;
                    return;
                }
            }
        }
    }
}
