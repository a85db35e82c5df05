namespace Sieve.Core.Anonymization;

/// <summary>
/// Told of every new segment: which keyed vehicle token it belongs to. For measuring a release against a simulated
/// city's ground truth in-process (<c>sieve privacy --simulate</c>, tests); services never set one, and no setting
/// can, because the link it reveals is exactly what the segment pseudonym hides.
/// </summary>
public interface ISegmentObserver
{
    /// <summary>A segment started: <paramref name="vehicle"/> is the keyed token, <paramref name="pseudonym"/> the segment's 32 characters.</summary>
    void SegmentStarted(ReadOnlySpan<byte> vehicle, ReadOnlySpan<byte> pseudonym);
}
