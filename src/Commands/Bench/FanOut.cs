using Sieve.Contracts.Pseudonymization;
using Sieve.Core.Policy;

namespace Sieve.Commands.Bench;

/// <summary>
/// What the minimizer writes for each input, found by running the same inputs through <see cref="Sieve.Core.Pipeline.MinimizerCore"/>
/// with the same consent beforehand: one bit per purpose it forwards to, or the quarantine bit. The raw
/// pass-through copies each input to exactly those topics, so both runs write the same number of records.
/// </summary>
public sealed class FanOut : IInputFanOut
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

    /// <summary>Runs <paramref name="inputs"/> through a <see cref="FanOutOracle"/> holding their consent.</summary>
    public static async Task<FanOut> DeriveAsync(BenchInputs inputs, CompiledPolicy policy, PseudonymKeyFactory keyFactory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        using FanOutOracle oracle = await FanOutOracle.CreateAsync(inputs.Consent, policy, keyFactory, cancellationToken).ConfigureAwait(false);
        int plans = oracle.PlanCount;
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
        foreach (BenchInput m in inputs.Messages)
        {
            byte mask = await oracle.MaskAsync(m.Input, m.Value, cancellationToken).ConfigureAwait(false);
            for (int copy = 0; copy <= plans; copy++)
            {
                if ((mask & CopyBit(copy, plans)) != 0)
                {
                    copies[copy]++;
                }
            }

            masks[m.Input][m.Partition][next[m.Input][m.Partition]++] = mask;
        }

        return new FanOut(masks, copies, [.. oracle.MinimizedBytes], plans);
    }

    /// <summary>The mask bit of copy topic <paramref name="copy"/>: a purpose's bit, or the quarantine bit for copy <paramref name="planCount"/>.</summary>
    public static byte CopyBit(int copy, int planCount) => copy == planCount ? QuarantineBit : (byte)(1 << copy);
}
