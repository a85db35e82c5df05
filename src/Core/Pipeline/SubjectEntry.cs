using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Sieve.Contracts.Identifiers;
using Sieve.Contracts.Pseudonymization;
using Sieve.Contracts.Purposes;
using Sieve.Core.Consent;
using Sieve.Core.Policy;

namespace Sieve.Core.Pipeline;

/// <summary>
/// What the minimizer remembers about a subject it has seen: its normalized identifier, consent-store key, the
/// consent near-cache entry it last used with the decisions worked out from it, and its pseudonym per purpose plan.
/// Everything is held inline in this one object, so an event of a cached subject reads one object here; the
/// consent near-cache entry is read to re-validate it only when the cache has dropped some entry since the subject
/// last found its own current. Lives only in process memory. Pseudonyms of daily-rotating plans
/// carry the day they were made for.
/// </summary>
internal sealed class SubjectEntry
{
    /// <summary>Most purpose plans a subject has state for: one per declared purpose.</summary>
    public const int MaxPlans = KnownPurposes.Count;

    private NormalizedBuffer _normalized;
    private PlanStates _plans;
    private PseudonymBuffer _consentKeyUtf8;

    /// <summary>Creates an entry with no pseudonyms made and no consent bound.</summary>
    /// <param name="hash">The subject's hash in the <see cref="SubjectCache"/>.</param>
    /// <param name="type">The identifier type.</param>
    /// <param name="normalized">The normalized identifier, at most <see cref="IdentifierNormalizer.MaxNormalizedLength"/> bytes.</param>
    /// <param name="planCount">Purpose plans, at most <see cref="MaxPlans"/>.</param>
    public SubjectEntry(uint hash, SubjectType type, ReadOnlySpan<byte> normalized, int planCount)
    {
        if ((uint)planCount > MaxPlans)
        {
            ThrowHelper.ThrowTooManyPlans(planCount);
        }

        Hash = hash;
        Type = type;
        NormalizedLength = normalized.Length;
        normalized.CopyTo(_normalized);
        PlanCount = planCount;
        for (int i = 0; i < MaxPlans; i++)
        {
            _plans[i].Day = long.MinValue;
        }
    }

    /// <summary>The subject's hash in the <see cref="SubjectCache"/>.</summary>
    public uint Hash { get; }

    public SubjectType Type { get; }

    public int NormalizedLength { get; }

    public int PlanCount { get; }

    /// <summary>The normalized identifier; held only to match look-ups and compute pseudonyms for new key epochs.</summary>
    public ReadOnlySpan<byte> Normalized => ((ReadOnlySpan<byte>)_normalized)[..NormalizedLength];

    /// <summary>32 ASCII bytes: the consent-index pseudonym.</summary>
    public Span<byte> ConsentKeyUtf8 => _consentKeyUtf8;

    /// <summary>The same key as a string, for consent-store fetches (made once per subject).</summary>
    public string ConsentKey { get; set; } = "";

    /// <summary>The near-cache entry the plan decisions were worked out from; null until the first hit.</summary>
    public ConsentCacheEntry? Consent { get; private set; }

    /// <summary><see cref="Consent"/>'s fetch time, kept here so that re-validating it need not read the entry.</summary>
    public long ConsentFetchedAt;

    /// <summary>
    /// The consent near-cache's drop count when <see cref="Consent"/> was last found current, or -1 when it has not
    /// been since it was bound (see <see cref="ConsentCache.IsCurrent(ConsentCacheEntry, long, ref long, ref int)"/>).
    /// </summary>
    public long ConsentVerifiedDrops = -1;

    /// <summary>The near-cache's young generation when <see cref="Consent"/> was last found current.</summary>
    public int ConsentVerifiedGeneration;

    /// <summary>True when this entry is the subject (type and normalized identifier).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Is(SubjectType type, ReadOnlySpan<byte> normalized) =>
        Type == type && normalized.SequenceEqual(Normalized);

    /// <summary>Plan <paramref name="planIndex"/>'s pseudonym buffer (32 bytes; valid when its day is current).</summary>
    public Span<byte> Pseudonym(int planIndex) => MemoryMarshal.CreateSpan(ref _plans[planIndex].Pseudonym[0], PseudonymKey.PseudonymLength);

    /// <summary>The key epoch plan <paramref name="planIndex"/>'s pseudonym was made for (long.MinValue: not yet made; stable plans use 0).</summary>
    public ref long PseudonymDay(int planIndex) => ref _plans[planIndex].Day;

    /// <summary>
    /// When plan <paramref name="planIndex"/>'s recall escrow entry was last sealed for this subject (the minimizer's
    /// clock, Unix ms; 0: not yet). <see cref="MinimizerCore.BeginBatch"/> takes it back when that batch is not committed.
    /// </summary>
    public ref long EscrowSealedAt(int planIndex) => ref _plans[planIndex].EscrowSealedAt;

    /// <summary>
    /// Keeps <paramref name="consent"/> and works out each plan's decision from its record and the plan's consent
    /// max age (<see cref="ConsentRules.DecideForAllTimes(ConsentRecord, PurposePlan, out long, out long)"/>), so
    /// later events only compare their time and the clock with the grant's span: a grant that lapses while its
    /// record stays cached is withheld from then on without going back to the store.
    /// </summary>
    public void Bind(ConsentCacheEntry consent, ReadOnlySpan<PurposePlan> plans)
    {
        for (int i = 0; i < plans.Length && i < PlanCount; i++)
        {
            ref PlanState plan = ref _plans[i];
            plan.Decision = ConsentRules.DecideForAllTimes(consent.Record, plans[i], out plan.ForwardFrom, out plan.ForwardUntil);
        }

        Consent = consent;
        ConsentFetchedAt = consent.FetchedAt;
        ConsentVerifiedDrops = -1;
    }

    /// <summary>
    /// The consent decision for plan <paramref name="planIndex"/>, an event at <paramref name="eventTimeMillis"/>
    /// and the clock at <paramref name="nowMillis"/>: what
    /// <see cref="ConsentRules.Decide(ConsentRecord, PurposePlan, long, long)"/> gives for the bound record.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ConsentDecision Decide(int planIndex, long eventTimeMillis, long nowMillis)
    {
        ref PlanState plan = ref _plans[planIndex];
        if (plan.Decision != ConsentDecision.Forward)
        {
            return plan.Decision;
        }

        return ConsentRules.AtTime(plan.ForwardFrom, plan.ForwardUntil, eventTimeMillis, nowMillis);
    }

    /// <summary>The end (exclusive) of the grant plan <paramref name="planIndex"/> forwards under, as last bound; <see cref="long.MaxValue"/> when unbounded.</summary>
    public long ForwardUntil(int planIndex) => _plans[planIndex].ForwardUntil;

    /// <summary>One plan's pseudonym, its epoch and its consent decision, side by side.</summary>
    private struct PlanState
    {
        public PseudonymBuffer Pseudonym;
        public long Day;
        public long ForwardFrom;
        public long ForwardUntil;
        public ConsentDecision Decision;
        public long EscrowSealedAt;
    }

    [InlineArray(MaxPlans)]
    private struct PlanStates
    {
        private PlanState _element;
    }

    [InlineArray(IdentifierNormalizer.MaxNormalizedLength)]
    private struct NormalizedBuffer
    {
        private byte _element;
    }

    [InlineArray(PseudonymKey.PseudonymLength)]
    private struct PseudonymBuffer
    {
        private byte _element;
    }
}
