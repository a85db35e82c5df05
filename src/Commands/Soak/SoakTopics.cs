namespace Sieve.Commands.Soak;

/// <summary>The topics a soak watches, by role.</summary>
/// <param name="TelematicsRaw">Ingest's telematics topic.</param>
/// <param name="WifiRaw">Ingest's Wi-Fi topic.</param>
/// <param name="Outputs">The purpose topics the Sink lands.</param>
/// <param name="Pending">The topics the Minimizer holds records in for a release stage.</param>
/// <param name="Audit">The audit topic.</param>
/// <param name="Quarantine">The quarantine topic.</param>
internal sealed record SoakTopics(string TelematicsRaw, string WifiRaw, IReadOnlyList<string> Outputs, IReadOnlyList<string> Pending, string Audit, string Quarantine)
{
    /// <summary>Every topic the tail reads.</summary>
    public IEnumerable<string> Tailed => [TelematicsRaw, WifiRaw, .. Outputs, .. Pending, Audit, Quarantine];
}
