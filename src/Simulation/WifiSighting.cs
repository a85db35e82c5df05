namespace Sieve.Simulation;

/// <summary>A Wi-Fi client seen by a dealer's gateway.</summary>
/// <param name="ClientMac">The client's MAC.</param>
/// <param name="PhoneNumber">The phone number it logged in with, if any.</param>
/// <param name="Latitude">Where the access points place it.</param>
/// <param name="Longitude">Where the access points place it.</param>
/// <param name="Rssi">Signal strength, dBm.</param>
public readonly record struct WifiSighting(string ClientMac, string? PhoneNumber, double Latitude, double Longitude, int Rssi);
