using Sieve.Contracts.Pseudonymization;

namespace Sieve.Testing.EndToEnd;

/// <summary>The pseudonyms and consent keys the minimizer should produce for a subject, computed from the same (demo) master key.</summary>
internal sealed class PseudonymOracle(PseudonymKeyFactory keys)
{
    private readonly Dictionary<(string Purpose, string Epoch, string Subject), string> _cache = [];

    /// <summary>The subject's pseudonym for a stable purpose.</summary>
    public string Stable(string purpose, TestSubject subject) => Compute(purpose, PseudonymKeyFactory.StableEpoch, subject);

    /// <summary>The subject's pseudonym for a daily purpose on the UTC day of <paramref name="eventTime"/>.</summary>
    public string Daily(string purpose, TestSubject subject, long eventTime) => Compute(purpose, PseudonymKeyFactory.DailyEpoch(eventTime), subject);

    /// <summary>The subject's consent key (the key of its record in the consent store).</summary>
    public string ConsentKey(TestSubject subject) => Stable(PseudonymKeyFactory.ConsentIndexPurpose, subject);

    private string Compute(string purpose, string epoch, TestSubject subject)
    {
        if (!_cache.TryGetValue((purpose, epoch, subject.Label), out string? pseudonym))
        {
            using PseudonymKey key = keys.Create(purpose, epoch);
            pseudonym = key.ComputeString(subject.Type, subject.Normalized);
            _cache[(purpose, epoch, subject.Label)] = pseudonym;
        }

        return pseudonym;
    }
}
