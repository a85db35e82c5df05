using System.Globalization;
using System.Text;
using Sieve.Contracts;
using Sieve.Contracts.Records;

namespace Sieve.Simulation.Mobility;

/// <summary>The synthetic identifiers of one simulated vehicle.</summary>
/// <param name="Vin">Its VIN (a raw identifier: never log it).</param>
/// <param name="Imei">Its telematics unit's IMEI (a raw identifier: never log it).</param>
public sealed record VehicleIdentity(string Vin, string Imei);

/// <summary>
/// Turns simulated samples into the raw-zone records Ingest would produce (<see cref="TelematicsEventData"/>,
/// <see cref="WifiEventData"/>), so the real Minimizer can be fed with the simulated city. A vehicle's or visitor's
/// identifiers depend only on the seed and its index.
/// </summary>
public sealed class MobilityRecords(int seed)
{
    private static readonly string[] Domains = ["autohome.com.cn", "dongchedi.com", "yiche.com", "jd.com", "meituan.com", "weather.com.cn"];

    /// <summary>The VIN and IMEI of vehicle <paramref name="index"/>.</summary>
    public VehicleIdentity Vehicle(int index)
    {
        var ids = new SyntheticIdentities(MobilityRandom.Seed(seed, index, 7));
        // The serial is the index: a random VIN per vehicle from a 32-bit seed repeats a few in 100,000.
        string vin = ids.Vin(serial: index);
        return new VehicleIdentity(vin, ids.Imei());
    }

    /// <summary>The client MAC of visitor <paramref name="index"/> (randomized, as phones send).</summary>
    public string VisitorMac(int index) => new SyntheticIdentities(MobilityRandom.Seed(seed, index, 8)).Mac(randomized: true);

    /// <summary>The raw telematics record of <paramref name="sample"/>, sent by the unit of <paramref name="vehicle"/>.</summary>
    public static TelematicsEventData Telematics(in MobilitySample sample, VehicleIdentity vehicle)
    {
        ArgumentNullException.ThrowIfNull(vehicle);
        return new TelematicsEventData
        {
            EventId = EventId('m', sample.Vehicle, sample.TimeMillis),
            Vin = vehicle.Vin,
            DeviceId = vehicle.Imei,
            EventTime = sample.TimeMillis,
            Location = new GeoLocationData(sample.Latitude, sample.Longitude, sample.SpeedKph, sample.HeadingDeg, 4),
            Status = new VehicleStatusData(Math.Round(sample.OdometerKm, 1), MathF.Round(sample.FuelPct, 1), MathF.Round(sample.BatteryVoltage, 2), sample.IgnitionOn, []),
        };
    }

    /// <summary>The raw Wi-Fi record of <paramref name="sample"/>, for the visitor whose MAC is <paramref name="mac"/>.</summary>
    public static WifiEventData Wifi(in WifiVisitSample sample, string mac)
    {
        ArgumentNullException.ThrowIfNull(mac);
        (string outletId, string gatewayId) = FleetSimulator.Outlet(sample.Outlet);
        int domains = (int)((uint)(sample.TimeMillis / 60_000) % 3);
        var visited = new List<string>(domains);
        for (int i = 0; i < domains; i++)
        {
            visited.Add(Domains[(sample.Visitor + i) % Domains.Length]);
        }

        return new WifiEventData
        {
            EventId = EventId('v', sample.Visitor, sample.TimeMillis),
            GatewayId = gatewayId,
            OutletId = outletId,
            EventTime = sample.TimeMillis,
            ClientMac = mac,
            Location = new GeoLocationData(sample.Latitude, sample.Longitude),
            Rssi = sample.Rssi,
            VisitedDomains = visited,
        };
    }

    /// <summary>The raw telematics message of <paramref name="sample"/>, keyed by the VIN as Ingest keys it.</summary>
    public static RawMessage TelematicsMessage(in MobilitySample sample, VehicleIdentity vehicle) =>
        new(Topics.TelematicsRaw, Encoding.UTF8.GetBytes(vehicle.Vin), Telematics(sample, vehicle).ToMessage());

    /// <summary>The raw Wi-Fi message of <paramref name="sample"/>, keyed by the MAC.</summary>
    public static RawMessage WifiMessage(in WifiVisitSample sample, string mac) =>
        new(Topics.WifiRaw, Encoding.UTF8.GetBytes(mac), Wifi(sample, mac).ToMessage());

    private static string EventId(char kind, int index, long time) =>
        string.Create(CultureInfo.InvariantCulture, $"{kind}{index}-{time}");
}
