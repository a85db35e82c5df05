namespace Sieve.Commands.Bench;

/// <summary>The topics one <see cref="RawPassThrough"/> reads and writes.</summary>
/// <param name="TelematicsInput">Telematics inputs (input 0 of the fan-out).</param>
/// <param name="WifiInput">Wi-Fi inputs (input 1 of the fan-out).</param>
/// <param name="Copies">One copy topic per purpose in plan order, then the quarantine copy.</param>
/// <param name="Audit">The per-batch audit records.</param>
public sealed record PassThroughTopics(string TelematicsInput, string WifiInput, IReadOnlyList<string> Copies, string Audit)
{
    /// <summary>Index of <paramref name="topic"/> among the inputs: 0 telematics, 1 Wi-Fi, -1 neither.</summary>
    public int InputIndex(string? topic) =>
        string.Equals(topic, TelematicsInput, StringComparison.Ordinal) ? 0 : string.Equals(topic, WifiInput, StringComparison.Ordinal) ? 1 : -1;
}
