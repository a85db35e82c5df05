using System.Globalization;
using System.Text.Json.Nodes;

namespace Sieve.Testing.Gateways;

/// <summary>Request bodies for the gateway tests: Meraki Scanning API v3 posts and portal records.</summary>
internal static class GatewayPayloads
{
    /// <summary>A whole-second UTC time a few minutes ago, so it is in range for the receiver's clock.</summary>
    public static DateTimeOffset RecentTime(int minutesAgo) =>
        DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - (minutesAgo * 60));

    public static string Iso(DateTimeOffset time) =>
        time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>A v3 WiFi post with every documented field around the observations.</summary>
    public static JsonObject MerakiPost(string secret, string networkId, params JsonObject[] observations)
    {
        var list = new JsonArray();
        foreach (JsonObject observation in observations)
        {
            list.Add(observation);
        }

        return new JsonObject
        {
            ["version"] = "3.0",
            ["secret"] = secret,
            ["type"] = "WiFi",
            ["data"] = new JsonObject
            {
                ["networkId"] = networkId,
                ["observations"] = list,
            },
        };
    }

    /// <summary>An observation with the client fields Meraki sends, a latestRecord (when given) and locations.</summary>
    public static JsonObject MerakiObservation(string clientMac, DateTimeOffset? latestTime, JsonNode? nearestApRssi, params JsonObject[] locations)
    {
        var list = new JsonArray();
        foreach (JsonObject location in locations)
        {
            list.Add(location);
        }

        var observation = new JsonObject
        {
            ["clientMac"] = clientMac,
            ["ipv4"] = "10.20.0.57",
            ["ipv6"] = null,
            ["ssid"] = "Dealer-Guest",
            ["os"] = "Android",
            ["manufacturer"] = "Xiaomi",
            ["userId"] = null,
            ["locations"] = list,
        };
        if (latestTime is { } time)
        {
            observation["latestRecord"] = new JsonObject
            {
                ["time"] = Iso(time),
                ["nearestApMac"] = "00:18:0a:13:dd:b0",
                ["nearestApRssi"] = nearestApRssi,
            };
        }

        return observation;
    }

    /// <summary>A location entry with floor-plan fields and RSSI readings.</summary>
    public static JsonObject MerakiLocation(double lat, double lng, DateTimeOffset time, params int[] rssi)
    {
        var records = new JsonArray();
        for (int i = 0; i < rssi.Length; i++)
        {
            records.Add(new JsonObject { ["apMac"] = "00:18:0a:13:dd:b" + i.ToString(CultureInfo.InvariantCulture), ["rssi"] = rssi[i] });
        }

        return new JsonObject
        {
            ["lat"] = lat,
            ["lng"] = lng,
            ["unc"] = 3.25,
            ["x"] = 12.5,
            ["y"] = "NaN",
            ["variance"] = 2.1,
            ["floorPlanId"] = "g_1234",
            ["floorPlanName"] = "Showroom",
            ["nearestApTags"] = new JsonArray("entrance"),
            ["time"] = Iso(time),
            ["rssiRecords"] = records,
        };
    }

    public static JsonObject Login(string gatewayId, string outletId, string clientMac, string? phoneNumber, string? deviceId, DateTimeOffset time) => new()
    {
        ["gatewayId"] = gatewayId,
        ["outletId"] = outletId,
        ["clientMac"] = clientMac,
        ["phoneNumber"] = phoneNumber,
        ["deviceId"] = deviceId,
        ["time"] = Iso(time),
    };

    public static JsonObject Session(
        string gatewayId, string outletId, string clientMac, string? phoneNumber, string? deviceId,
        DateTimeOffset start, DateTimeOffset end, params string[] domains)
    {
        var list = new JsonArray();
        foreach (string domain in domains)
        {
            list.Add(domain);
        }

        return new JsonObject
        {
            ["gatewayId"] = gatewayId,
            ["outletId"] = outletId,
            ["clientMac"] = clientMac,
            ["phoneNumber"] = phoneNumber,
            ["deviceId"] = deviceId,
            ["start"] = Iso(start),
            ["end"] = Iso(end),
            ["visitedDomains"] = list,
        };
    }
}
