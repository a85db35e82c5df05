namespace Sieve.Core.Gateways.Meraki;

/// <summary>The <c>data</c> object of a Scanning API v3 WiFi post.</summary>
/// <param name="NetworkId"><c>data.networkId</c>.</param>
/// <param name="Observations"><c>data.observations</c>, in order.</param>
internal sealed record MerakiPayload(string NetworkId, IReadOnlyList<MerakiObservation> Observations);
