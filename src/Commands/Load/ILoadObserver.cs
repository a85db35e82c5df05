using Sieve.Simulation;

namespace Sieve.Commands.Load;

/// <summary>
/// Told what Ingest acknowledged, as it happens: the records a unit got an ack for, and the Wi-Fi records a gateway
/// post was accepted with. Called concurrently from the vehicles' and gateways' tasks.
/// </summary>
public interface ILoadObserver
{
    /// <summary>Ingest acknowledged <paramref name="records"/> of the unit <paramref name="imei"/>.</summary>
    void RecordsAcked(string imei, ReadOnlySpan<UnitRecord> records);

    /// <summary>
    /// A gateway post about <paramref name="sighting"/> at <paramref name="timeMillis"/> (its observation or session
    /// start, Unix milliseconds) was accepted as <paramref name="records"/> records.
    /// </summary>
    void WifiAccepted(WifiSighting sighting, long timeMillis, int records);
}
