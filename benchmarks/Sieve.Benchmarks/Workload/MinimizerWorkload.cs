using Sieve.Contracts.Pseudonymization;
using Sieve.Core.Consent;
using Sieve.Core.Pipeline;
using Sieve.Core.Policy;

namespace Sieve.Benchmarks.Workload;

/// <summary>
/// A <see cref="MinimizerCore"/> in steady state over a <see cref="SyntheticPopulation"/>: the default policy, the
/// demo master key ring, every subject's consent in an <see cref="InMemoryConsentStore"/> and loaded into the
/// near-cache, and every event processed once so each subject's pseudonyms are cached. What remains per event is
/// exactly the production hot path: decode, normalize, subject lookup, consent lookup and rule, generalize, encode.
/// </summary>
internal sealed class MinimizerWorkload : IDisposable
{
    private MinimizerWorkload(SyntheticPopulation population, InMemoryConsentStore store, ConsentCache consent, MinimizerCore core)
    {
        Population = population;
        Store = store;
        Consent = consent;
        Core = core;
    }

    /// <summary>The subjects and their encoded events.</summary>
    public SyntheticPopulation Population { get; }

    /// <summary>The consent store holding every subject's decisions.</summary>
    public InMemoryConsentStore Store { get; }

    /// <summary>The near-cache, holding every subject.</summary>
    public ConsentCache Consent { get; }

    /// <summary>The warmed core.</summary>
    public MinimizerCore Core { get; }

    /// <summary>Builds the population, stores and fetches every subject's consent, and warms the core.</summary>
    /// <param name="vehicles">Vehicles of the population.</param>
    /// <param name="visitors">Wi-Fi subjects of the population.</param>
    /// <param name="telematicsMessages">Encoded telematics messages.</param>
    /// <param name="wifiMessages">Encoded Wi-Fi messages.</param>
    /// <param name="policy">The policy (default: the shipped one).</param>
    /// <param name="analyticsConsent">Every subject but minors also consents to analytics.</param>
    public static MinimizerWorkload Create(int vehicles, int visitors, int telematicsMessages, int wifiMessages, CompiledPolicy? policy = null, bool analyticsConsent = false)
    {
        SyntheticPopulation population = SyntheticPopulation.Create(vehicles, visitors, telematicsMessages, wifiMessages);
        var keys = new PseudonymKeyFactory(MasterKeyRing.CreateDemo());
        var store = new InMemoryConsentStore();
        var consent = new ConsentCache(store, new ConsentCacheOptions
        {
            Capacity = Math.Max(2, 4 * (vehicles + visitors)),
            // The in-memory store's invalidation stream is always live; entries must not age out mid-run either.
            MaxEntryAge = TimeSpan.FromDays(3650),
        });

        List<string> consentKeys = StoreConsent(population, keys, store, analyticsConsent);
        consent.FetchAsync(consentKeys).GetAwaiter().GetResult();
        if (consent.Count != consentKeys.Count)
        {
            throw new InvalidOperationException("The consent near-cache did not take every subject.");
        }

        var core = new MinimizerCore(policy ?? PolicyLoader.LoadDefault(), keys, consent, subjectCacheCapacity: 2 * (vehicles + visitors));
        var workload = new MinimizerWorkload(population, store, consent, core);
        workload.ProcessAll(InputKind.Telematics, population.TelematicsMessages, sink: null);
        workload.ProcessAll(InputKind.Wifi, population.WifiMessages, sink: null);
        if (core.CachedSubjects != consentKeys.Count)
        {
            throw new InvalidOperationException("Not every subject was seen by the warm-up pass.");
        }

        return workload;
    }

    /// <summary>
    /// Processes the next <paramref name="count"/> messages from <paramref name="next"/> (a multiple of
    /// <paramref name="count"/>, wrapping to 0 at the end) into <paramref name="sink"/>; the benchmarks' per-event loop.
    /// </summary>
    public long RunSlice(InputKind kind, byte[][] messages, ref int next, int count, CountingSink sink, Span<Outcome> outcomes)
    {
        // The message counts are multiples of count, so each invocation is one contiguous slice.
        int start = next;
        MinimizerCore core = Core;
        for (int i = start; i < start + count; i++)
        {
            if (core.Process(kind, messages[i], sink, outcomes, out _, out _) != ProcessStatus.Processed)
            {
                ThrowNotProcessed();
            }
        }

        next = start + count == messages.Length ? 0 : start + count;
        return sink.Checksum;
    }

    /// <summary>Processes every message once; throws unless each one is <see cref="ProcessStatus.Processed"/>.</summary>
    public void ProcessAll(InputKind kind, byte[][] messages, IMinimizedRecordSink? sink)
    {
        Span<Outcome> outcomes = stackalloc Outcome[Core.Plans.Count];
        foreach (byte[] message in messages)
        {
            ProcessStatus status = Core.Process(kind, message, sink, outcomes, out QuarantineReason quarantine, out _);
            if (status != ProcessStatus.Processed)
            {
                throw new InvalidOperationException($"Warm-up event was {status} ({quarantine.Code}), not processed.");
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Core.Dispose();
        Consent.Dispose();
    }

    /// <summary>Computes each subject's consent key as the minimizer will, and stores its decisions.</summary>
    private static List<string> StoreConsent(SyntheticPopulation population, PseudonymKeyFactory keys, InMemoryConsentStore store, bool analyticsConsent)
    {
        List<string> consentKeys = PopulationConsent.ConsentKeys(population, keys);
        foreach (ConsentUpdate update in PopulationConsent.AllUpdates(population, consentKeys))
        {
            Apply(store, update);
        }

        if (analyticsConsent)
        {
            int analytics = Sieve.Contracts.Purposes.KnownPurposes.IndexOf(Sieve.Contracts.Purposes.KnownPurposes.Analytics);
            int i = 0;
            foreach (SyntheticSubject subject in population.Subjects)
            {
                if (subject.Consent != ConsentMix.Minor)
                {
                    Apply(store, new ConsentUpdate(consentKeys[i], analytics, true, SyntheticPopulation.ConsentEffectiveMillis, PopulationConsent.PolicyVersion, minor: false));
                }

                i++;
            }
        }

        return consentKeys;
    }

    private static void Apply(InMemoryConsentStore store, ConsentUpdate update) => store.ApplyAsync(update).GetAwaiter().GetResult();

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private static void ThrowNotProcessed() =>
        throw new InvalidOperationException("An event was not processed: the workload is not in steady state.");
}
