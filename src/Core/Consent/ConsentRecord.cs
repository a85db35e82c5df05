using Sieve.Contracts.Purposes;

namespace Sieve.Core.Consent;

/// <summary>
/// Everything the consent store holds about one subject: whether the subject is a minor, and the latest decision
/// per declared purpose (indexed by <see cref="KnownPurposes"/> index). Immutable, so one instance can be shared by
/// the store, the cache and the minimizer's worker without copying.
/// </summary>
public sealed class ConsentRecord
{
    // Always KnownPurposes.Count long and never written after construction.
    private readonly PurposeConsent[] _purposes;

    private ConsentRecord(bool minor, PurposeConsent[] purposes, bool erased = false)
    {
        Minor = minor;
        Erased = erased;
        _purposes = purposes;
    }

    /// <summary>A subject the store knows nothing about: not a minor, no decision for any purpose.</summary>
    public static ConsentRecord Empty { get; } = new(false, new PurposeConsent[KnownPurposes.Count]);

    /// <summary>The subject is under 18. Once set it stays set.</summary>
    public bool Minor { get; }

    /// <summary>
    /// The subject asked for erasure (or was erased as a minor): nothing of theirs is forwarded to any purpose.
    /// Once set it stays set.
    /// </summary>
    public bool Erased { get; }

    /// <summary>One entry per declared purpose, indexed by <see cref="KnownPurposes"/> index.</summary>
    public ReadOnlySpan<PurposeConsent> Purposes => _purposes;

    /// <summary>True when the record holds no decision and no minor flag.</summary>
    public bool IsEmpty
    {
        get
        {
            if (Minor || Erased)
            {
                return false;
            }

            foreach (PurposeConsent p in _purposes)
            {
                if (p.State != ConsentState.None)
                {
                    return false;
                }
            }

            return true;
        }
    }

    /// <summary>Creates a record; purposes beyond <paramref name="purposes"/>' length have no decision.</summary>
    /// <param name="minor">The subject is under 18.</param>
    /// <param name="purposes">Decisions indexed by <see cref="KnownPurposes"/> index; at most <see cref="KnownPurposes.Count"/> entries.</param>
    public static ConsentRecord Create(bool minor, ReadOnlySpan<PurposeConsent> purposes)
    {
        if (purposes.Length > KnownPurposes.Count)
        {
            ThrowHelper.ThrowTooManyPurposes(nameof(purposes));
        }

        var copy = new PurposeConsent[KnownPurposes.Count];
        purposes.CopyTo(copy);
        return new ConsentRecord(minor, copy);
    }

    /// <summary>Creates a record that may carry the erased mark; see <see cref="Create(bool, ReadOnlySpan{PurposeConsent})"/>.</summary>
    /// <param name="minor">The subject is under 18.</param>
    /// <param name="erased">The subject was erased.</param>
    /// <param name="purposes">Decisions indexed by <see cref="KnownPurposes"/> index; at most <see cref="KnownPurposes.Count"/> entries.</param>
    public static ConsentRecord Create(bool minor, bool erased, ReadOnlySpan<PurposeConsent> purposes)
    {
        ConsentRecord record = Create(minor, purposes);
        return erased ? new ConsentRecord(record.Minor, record._purposes, erased: true) : record;
    }

    /// <summary>This record with the erased mark set; this instance when it already has it.</summary>
    public ConsentRecord WithErased() => Erased ? this : new ConsentRecord(Minor, _purposes, erased: true);

    /// <summary>The decision for the purpose with index <paramref name="purposeId"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="purposeId"/> is not a declared purpose's index.</exception>
    public ref readonly PurposeConsent GetPurpose(int purposeId)
    {
        if ((uint)purposeId >= (uint)KnownPurposes.Count)
        {
            ThrowHelper.ThrowPurposeIdOutOfRange(nameof(purposeId));
        }

        return ref _purposes[purposeId];
    }

    /// <summary>
    /// This record with <paramref name="update"/> applied (the consent key is not looked at). The purpose decision is
    /// replaced only when <see cref="PurposeConsent.IsSupersededBy"/> says so, and then whole: a later grant's expiry
    /// (or its lack of one) replaces an earlier grant's. The minor flag is sticky and is set by any update that
    /// carries it, even one too old to change the purpose decision.
    /// </summary>
    /// <param name="update">The decision to apply.</param>
    /// <param name="changed">False when the result equals this record (then this instance is returned).</param>
    public ConsentRecord Apply(in ConsentUpdate update, out bool changed)
    {
        if ((uint)update.PurposeId >= (uint)KnownPurposes.Count)
        {
            ThrowHelper.ThrowPurposeIdOutOfRange(nameof(update));
        }

        bool minor = Minor || update.Minor;
        bool replace = _purposes[update.PurposeId].IsSupersededBy(update.Granted, update.EffectiveTimeMillis);
        if (!replace && minor == Minor)
        {
            changed = false;
            return this;
        }

        var purposes = (PurposeConsent[])_purposes.Clone();
        if (replace)
        {
            purposes[update.PurposeId] = new PurposeConsent(
                update.Granted ? ConsentState.Granted : ConsentState.Withdrawn, update.EffectiveTimeMillis, update.PolicyVersion,
                update.Granted ? update.ExpiresAtMillis : PurposeConsent.NoExpiry);
        }

        changed = true;
        return new ConsentRecord(minor, purposes, Erased);
    }
}
