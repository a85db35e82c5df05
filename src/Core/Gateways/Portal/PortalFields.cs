namespace Sieve.Core.Gateways.Portal;

/// <summary>The portal API's JSON field names, as used in error answers.</summary>
internal static class PortalFields
{
    /// <summary>The document root.</summary>
    public const string Root = "$";

    /// <summary><c>gatewayId</c>.</summary>
    public const string GatewayId = "gatewayId";

    /// <summary><c>outletId</c>.</summary>
    public const string OutletId = "outletId";

    /// <summary><c>clientMac</c>.</summary>
    public const string ClientMac = "clientMac";

    /// <summary><c>phoneNumber</c>.</summary>
    public const string PhoneNumber = "phoneNumber";

    /// <summary><c>deviceId</c>.</summary>
    public const string DeviceId = "deviceId";

    /// <summary><c>time</c> (logins).</summary>
    public const string Time = "time";

    /// <summary><c>start</c> (sessions).</summary>
    public const string Start = "start";

    /// <summary><c>end</c> (sessions).</summary>
    public const string End = "end";

    /// <summary><c>rssi</c>.</summary>
    public const string Rssi = "rssi";

    /// <summary><c>visitedDomains</c> (sessions).</summary>
    public const string VisitedDomains = "visitedDomains";
}
