using System.Globalization;

namespace Sieve.Core.Gateways.Meraki;

/// <summary>Field paths of the Scanning API v3 payload, as used in error answers. Built only when an error is answered.</summary>
internal static class MerakiFields
{
    /// <summary>The document root.</summary>
    public const string Root = "$";

    /// <summary><c>data</c>.</summary>
    public const string Data = "data";

    /// <summary><c>data.networkId</c>.</summary>
    public const string NetworkId = "data.networkId";

    /// <summary><c>data.observations</c>.</summary>
    public const string Observations = "data.observations";

    /// <summary><c>version</c>.</summary>
    public const string Version = "version";

    /// <summary><c>type</c>.</summary>
    public const string Type = "type";

    /// <summary><c>data.observations[i]</c> followed by <paramref name="rest"/> (e.g. <c>.clientMac</c>).</summary>
    public static string Observation(int index, string rest) =>
        "data.observations[" + index.ToString(CultureInfo.InvariantCulture) + "]" + rest;

    /// <summary><c>data.observations[i].locations[j]</c> followed by <paramref name="rest"/>.</summary>
    public static string Location(int index, int location, string rest) =>
        Observation(index, ".locations[" + location.ToString(CultureInfo.InvariantCulture) + "]" + rest);

    /// <summary><c>.rssiRecords[k].rssi</c>.</summary>
    public static string RssiRecord(int record) =>
        ".rssiRecords[" + record.ToString(CultureInfo.InvariantCulture) + "].rssi";
}
