namespace Sieve.Core.Gateways.Portal;

/// <summary>A portal login or session as received; identifiers are kept exactly as sent.</summary>
internal sealed class PortalRecord
{
    /// <summary>Login or session.</summary>
    public PortalRecordKind Kind { get; init; }

    /// <summary><c>gatewayId</c>.</summary>
    public string GatewayId { get; set; } = string.Empty;

    /// <summary><c>outletId</c>.</summary>
    public string OutletId { get; set; } = string.Empty;

    /// <summary><c>clientMac</c>.</summary>
    public string ClientMac { get; set; } = string.Empty;

    /// <summary><c>phoneNumber</c>: required for a login, optional for a session.</summary>
    public string? PhoneNumber { get; set; }

    /// <summary><c>deviceId</c>, optional.</summary>
    public string? DeviceId { get; set; }

    /// <summary>A login's <c>time</c> or a session's <c>start</c>, Unix milliseconds.</summary>
    public long Time { get; set; }

    /// <summary>A session's <c>end</c>, Unix milliseconds; 0 for a login.</summary>
    public long End { get; set; }

    /// <summary><c>rssi</c>, optional.</summary>
    public int? Rssi { get; set; }

    /// <summary>A session's <c>visitedDomains</c>, as sent.</summary>
    public List<string> VisitedDomains { get; } = [];
}
