using Sieve.Contracts.Pseudonymization;
using Sieve.Contracts.Records;
using Sieve.Core.Consent;
using Sieve.Core.Engine;
using Sieve.Core.Pipeline;
using Sieve.Core.Policy;

namespace Sieve.Commands.Bench;

/// <summary>
/// Finds what the minimizer writes for one input by running it through a <see cref="MinimizerCore"/> of its own,
/// with the population's consent in an in-memory store: the input's <see cref="IInputFanOut"/> mask.
/// </summary>
public sealed class FanOutOracle : IDisposable
{
    private readonly OfflineMinimizer _minimizer;
    private readonly ByteCountingSink _sink;
    private readonly Outcome[] _outcomes;

    private FanOutOracle(OfflineMinimizer minimizer)
    {
        _minimizer = minimizer;
        _sink = new ByteCountingSink(minimizer.Core.Plans);
        _outcomes = new Outcome[minimizer.Core.Plans.Count];
    }

    /// <summary>Number of purposes.</summary>
    public int PlanCount => _outcomes.Length;

    /// <summary>Bytes (key and value) written per purpose over every input asked about so far.</summary>
    public IReadOnlyList<long> MinimizedBytes => _sink.Bytes;

    /// <summary>An oracle over <paramref name="policy"/> holding <paramref name="consent"/>.</summary>
    public static async Task<FanOutOracle> CreateAsync(IReadOnlyList<ConsentChangeData> consent, CompiledPolicy policy, PseudonymKeyFactory keyFactory,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var store = new InMemoryConsentStore();
        await ConsentSeeder.ApplyAsync(store, consent, keyFactory, cancellationToken).ConfigureAwait(false);
        OfflineMinimizer minimizer = new MinimizerPipelineBuilder(store, policy, keyFactory).BuildOffline();
        if (minimizer.Core.Plans.Count > 7)
        {
            int plans = minimizer.Core.Plans.Count;
            minimizer.Dispose();
            throw new InvalidOperationException("The bench supports policies of at most 7 purposes; this one has " + plans + ".");
        }

        return new FanOutOracle(minimizer);
    }

    /// <summary>The mask of <paramref name="value"/> read from input <paramref name="input"/> (0 telematics, 1 Wi-Fi).</summary>
    public async ValueTask<byte> MaskAsync(int input, byte[] value, CancellationToken cancellationToken)
    {
        InputKind kind = input == 0 ? InputKind.Telematics : InputKind.Wifi;
        ProcessStatus status;
        while ((status = _minimizer.Core.Process(kind, value, _sink, _outcomes, out _, out string? key)) == ProcessStatus.NeedsConsent)
        {
            await _minimizer.Cache.FetchAsync([key!], cancellationToken).ConfigureAwait(false);
        }

        if (status == ProcessStatus.Quarantined)
        {
            return FanOut.QuarantineBit;
        }

        byte mask = 0;
        for (int p = 0; p < _outcomes.Length; p++)
        {
            // A held record is written too (to the purpose's pending topic), so the pass-through copies it.
            if (_outcomes[p] is Outcome.Forwarded or Outcome.HeldForRelease)
            {
                mask |= (byte)(1 << p);
            }
        }

        return mask;
    }

    /// <inheritdoc />
    public void Dispose() => _minimizer.Dispose();

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
