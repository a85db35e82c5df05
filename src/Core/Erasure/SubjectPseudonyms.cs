using System.Text;
using Sieve.Contracts.Identifiers;
using Sieve.Contracts.Pseudonymization;
using Sieve.Core.Policy;
using Sieve.Core.Lake;

namespace Sieve.Core.Erasure;

/// <summary>One pseudonym of a subject in one purpose, and the key ids that make it.</summary>
/// <param name="Purpose">The purpose.</param>
/// <param name="Pseudonym">32 characters of a-z and 2-7.</param>
/// <param name="KeyIds">e.g. <c>k1/analytics/2026-11-25</c>.</param>
public sealed record PurposePseudonym(string Purpose, string Pseudonym, IReadOnlyList<string> KeyIds);

/// <summary>
/// Every pseudonym a subject can have in the lake and the purpose topics: for each purpose, under each master key
/// of the ring, for each key epoch still within the purpose's retention as the policy declares it
/// (<see cref="LakeTable.PolicyRetentionDays"/>: the stable epoch, or every UTC date from the retention's first kept
/// date to tomorrow for daily keys). Plus the subject's consent key.
/// </summary>
public static class SubjectPseudonyms
{
    /// <summary>The result of a derivation.</summary>
    /// <param name="ConsentKey">The consent-store key (active master key, purpose consent-index, stable epoch).</param>
    /// <param name="ByPurpose">Pseudonyms per purpose.</param>
    public sealed record Derived(string ConsentKey, IReadOnlyDictionary<string, IReadOnlyList<PurposePseudonym>> ByPurpose);

    /// <summary>Normalizes the identifier and derives its pseudonyms; false with the normalization status when it is not valid for its type.</summary>
    /// <param name="keys">Key factory over the master key ring.</param>
    /// <param name="tables">The purposes (rotation and retention).</param>
    /// <param name="type">The identifier's type.</param>
    /// <param name="rawIdentifier">The identifier as received.</param>
    /// <param name="nowUtc">Today, for the daily epochs.</param>
    /// <param name="derived">The pseudonyms.</param>
    /// <param name="status">Ok, or why the identifier was rejected.</param>
    public static bool TryDerive(PseudonymKeyFactory keys, IReadOnlyList<LakeTable> tables, SubjectType type, string rawIdentifier, DateTimeOffset nowUtc,
        out Derived? derived, out NormalizeStatus status)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(tables);
        ArgumentNullException.ThrowIfNull(rawIdentifier);
        derived = null;
        if (rawIdentifier.Length > IdentifierNormalizer.MaxRawLength)
        {
            status = NormalizeStatus.TooLong;
            return false;
        }

        Span<byte> raw = stackalloc byte[IdentifierNormalizer.MaxRawLength * 3];
        int rawLength = Encoding.UTF8.GetBytes(rawIdentifier, raw);
        Span<byte> normalizedBuffer = stackalloc byte[IdentifierNormalizer.MaxNormalizedLength];
        status = IdentifierNormalizer.TryNormalize(type, raw[..rawLength], normalizedBuffer, out int written, out _);
        raw.Clear();
        if (status != NormalizeStatus.Ok)
        {
            return false;
        }

        ReadOnlySpan<byte> normalized = normalizedBuffer[..written];
        Span<byte> pseudonym = stackalloc byte[PseudonymKey.PseudonymLength];
        string consentKey;
        using (PseudonymKey consentIndex = keys.Create(PseudonymKeyFactory.ConsentIndexPurpose, PseudonymKeyFactory.StableEpoch))
        {
            consentIndex.Compute(type, normalized, pseudonym);
            consentKey = Encoding.ASCII.GetString(pseudonym);
        }

        var byPurpose = new Dictionary<string, IReadOnlyList<PurposePseudonym>>(StringComparer.Ordinal);
        foreach (LakeTable table in tables)
        {
            var found = new Dictionary<string, List<string>>(StringComparer.Ordinal);
            foreach (string epoch in Epochs(table, nowUtc))
            {
                foreach (MasterKey master in keys.Ring.Keys)
                {
                    using PseudonymKey key = keys.Create(table.Purpose, epoch, master);
                    key.Compute(type, normalized, pseudonym);
                    string text = Encoding.ASCII.GetString(pseudonym);
                    if (!found.TryGetValue(text, out List<string>? keyIds))
                    {
                        keyIds = [];
                        found[text] = keyIds;
                    }

                    keyIds.Add(key.KeyId);
                }
            }

            var list = new List<PurposePseudonym>(found.Count);
            foreach (KeyValuePair<string, List<string>> pair in found)
            {
                list.Add(new PurposePseudonym(table.Purpose, pair.Key, pair.Value));
            }

            byPurpose[table.Purpose] = list;
        }

        normalizedBuffer.Clear();
        derived = new Derived(consentKey, byPurpose);
        return true;
    }

    private static IEnumerable<string> Epochs(LakeTable table, DateTimeOffset nowUtc)
    {
        if (table.Rotation == PseudonymRotation.Stable)
        {
            yield return PseudonymKeyFactory.StableEpoch;
            yield break;
        }

        if (table.Rotation == PseudonymRotation.Segment)
        {
            // Random segment pseudonyms are derived from nothing: no key leads from a subject to them.
            yield break;
        }

        DateOnly first = Retention.RetentionPolicy.FirstKeptDate(nowUtc, table.PolicyRetentionDays);
        DateOnly last = DateOnly.FromDateTime(nowUtc.UtcDateTime).AddDays(1);
        for (DateOnly day = first; day <= last; day = day.AddDays(1))
        {
            yield return day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        }
    }
}
