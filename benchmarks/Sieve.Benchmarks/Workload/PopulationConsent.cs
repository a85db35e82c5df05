using System.Text;
using Sieve.Contracts.Identifiers;
using Sieve.Contracts.Pseudonymization;
using Sieve.Contracts.Purposes;
using Sieve.Core.Consent;

namespace Sieve.Benchmarks.Workload;

/// <summary>
/// A synthetic population's consent as the consent store receives it: each subject's consent key (the
/// consent-index pseudonym of its normalized identifier, as the minimizer computes it) and the decisions of its
/// <see cref="ConsentMix"/>, effective a month before the events.
/// </summary>
internal static class PopulationConsent
{
    /// <summary>The policy version the synthetic decisions were made under.</summary>
    public const string PolicyVersion = "2026-11-01";

    /// <summary>The consent key of every subject, in <see cref="SyntheticPopulation.Subjects"/> order.</summary>
    public static List<string> ConsentKeys(SyntheticPopulation population, PseudonymKeyFactory keys)
    {
        using PseudonymKey index = keys.Create(PseudonymKeyFactory.ConsentIndexPurpose, PseudonymKeyFactory.StableEpoch);
        var consentKeys = new List<string>();
        Span<byte> normalized = stackalloc byte[IdentifierNormalizer.MaxNormalizedLength];
        foreach (SyntheticSubject subject in population.Subjects)
        {
            NormalizeStatus status = IdentifierNormalizer.TryNormalize(subject.Type, Encoding.UTF8.GetBytes(subject.RawId), normalized, out int length, out _);
            if (status != NormalizeStatus.Ok)
            {
                throw new InvalidOperationException($"A synthetic {subject.Type} failed normalization: {status}.");
            }

            consentKeys.Add(index.ComputeString(subject.Type, Encoding.ASCII.GetString(normalized[..length])));
        }

        return consentKeys;
    }

    /// <summary>The decisions, in the order they are applied, that give a subject keyed <paramref name="key"/> its <paramref name="mix"/>.</summary>
    public static IEnumerable<ConsentUpdate> Updates(string key, ConsentMix mix)
    {
        int positioning = KnownPurposes.IndexOf(KnownPurposes.Positioning);
        int personalization = KnownPurposes.IndexOf(KnownPurposes.Personalization);
        long granted = SyntheticPopulation.ConsentEffectiveMillis;
        long withdrawn = granted + 86_400_000;
        switch (mix)
        {
            case ConsentMix.All:
                yield return new ConsentUpdate(key, positioning, true, granted, PolicyVersion, minor: false);
                yield return new ConsentUpdate(key, personalization, true, granted, PolicyVersion, minor: false);
                break;
            case ConsentMix.PositioningOnly:
                yield return new ConsentUpdate(key, positioning, true, granted, PolicyVersion, minor: false);
                break;
            case ConsentMix.WithdrewPersonalization:
                yield return new ConsentUpdate(key, positioning, true, granted, PolicyVersion, minor: false);
                yield return new ConsentUpdate(key, personalization, true, granted, PolicyVersion, minor: false);
                yield return new ConsentUpdate(key, personalization, false, withdrawn, PolicyVersion, minor: false);
                break;
            case ConsentMix.Minor:
                yield return new ConsentUpdate(key, positioning, true, granted, PolicyVersion, minor: true);
                break;
        }
    }

    /// <summary>Every subject's decisions, subject by subject.</summary>
    public static IEnumerable<ConsentUpdate> AllUpdates(SyntheticPopulation population, IReadOnlyList<string> consentKeys)
    {
        int i = 0;
        foreach (SyntheticSubject subject in population.Subjects)
        {
            foreach (ConsentUpdate update in Updates(consentKeys[i], subject.Consent))
            {
                yield return update;
            }

            i++;
        }
    }
}
