using Sieve.Contracts.Avro;
using Sieve.Core.Anonymization;

namespace Sieve.Testing.Pipeline;

/// <summary>
/// Stands in for a release stage where a test needs rows of every purpose downstream (Sink, lake, access, retention):
/// a record handed to the stage (<c>*.pending*</c>) becomes its output record under a random pseudonym per vehicle
/// and UTC day, without the stage's rules (no trimming, gaps, zones or k). What the real stage lets through is
/// tested against the stage itself.
/// </summary>
internal sealed class StandInRelease
{
    private readonly Dictionary<string, byte[]> _segments = new(StringComparer.Ordinal);

    /// <summary>Every record as it would reach its purpose topic.</summary>
    public IEnumerable<(string Purpose, string Topic, byte[] Key, byte[] Value)> Apply(IEnumerable<(string Purpose, string Topic, byte[] Key, byte[] Value)> records)
    {
        foreach ((string Purpose, string Topic, byte[] Key, byte[] Value) r in records)
        {
            yield return Released(r);
        }
    }

    private (string Purpose, string Topic, byte[] Key, byte[] Value) Released((string Purpose, string Topic, byte[] Key, byte[] Value) r)
    {
        if (!r.Topic.Contains(".pending", StringComparison.Ordinal))
        {
            return r;
        }

        Assert.Equal(AvroStatus.Ok, ReleaseCandidateCodec.TryRead(r.Value, out ReleaseCandidate candidate));
        string key = System.Text.Encoding.ASCII.GetString(candidate.Vehicle) + "/" + (candidate.EventTime / 86_400_000);
        if (!_segments.TryGetValue(key, out byte[]? pseudonym))
        {
            pseudonym = new byte[32];
            Sieve.Contracts.Pseudonymization.Pseudonyms.FillRandom(pseudonym);
            _segments[key] = pseudonym;
        }

        byte[] record = candidate.Record.ToArray();
        Assert.True(SegmentPseudonym.TryApply(record, pseudonym));
        return (r.Purpose, r.Topic.Replace(".pending", "", StringComparison.Ordinal), pseudonym, record);
    }
}
