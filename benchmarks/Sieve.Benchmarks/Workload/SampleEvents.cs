using Sieve.Contracts.Records;

namespace Sieve.Benchmarks.Workload;

/// <summary>Single representative events for the component benchmarks: every optional part present.</summary>
internal static class SampleEvents
{
    /// <summary>A telematics event with a GPS fix, status with one trouble code, and driver details.</summary>
    public static TelematicsEventData Telematics() => new()
    {
        EventId = "t-000000123456",
        Vin = "LSVAU2180N2183294",
        DeviceId = "356938035643809",
        EventTime = SyntheticPopulation.StartMillis + 1_234_567,
        Location = new GeoLocationData(31.230416, 121.473701, 42.5f, 90f, 4.7f),
        Status = new VehicleStatusData(48_213.4, 63.5f, 13.1f, true, ["P0420"]),
        Driver = new DriverData("Driver 17", "+86 138 0013 8000", "310101199001011234"),
    };

    /// <summary>A Wi-Fi event of a visitor who logged in with a phone number and browsed three domains.</summary>
    public static WifiEventData Wifi() => new()
    {
        EventId = "w-000000654321",
        GatewayId = "gw-pd-01",
        OutletId = "SH-PD-001",
        EventTime = SyntheticPopulation.StartMillis + 7_654_321,
        ClientMac = "3a:1f:c2:9e:44:0b",
        PhoneNumber = "+86 138 0013 8000",
        Location = new GeoLocationData(31.2214, 121.5448),
        Rssi = -61,
        VisitedDomains = ["m.autohome.com.cn", "ctrip.com", "example-unmapped.cn"],
        DwellSeconds = 1_260,
    };
}
