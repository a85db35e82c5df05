using System.Collections.Concurrent;
using System.Globalization;
using Sieve.Simulation;

namespace Sieve.Commands.Load;

/// <summary>Counters of a load run, updated by many tasks at once and read by a progress view.</summary>
public sealed class LoadStats
{
    private long _connections;
    private long _activeConnections;
    private long _connectionFailures;
    private long _packetsAcked;
    private long _recordsSent;
    private long _recordsAcked;
    private long _httpRequests;
    private long _httpRefused;
    private long _httpRecordsAccepted;
    private readonly ConcurrentDictionary<GatewayRefusal, long> _refusals = new();

    /// <summary>Device connections accepted by the server (handshake answered <c>01</c>).</summary>
    public long Connections => Interlocked.Read(ref _connections);

    /// <summary>Device connections open now.</summary>
    public long ActiveConnections => Interlocked.Read(ref _activeConnections);

    /// <summary>Connections refused, reset, or closed without an acknowledgement.</summary>
    public long ConnectionFailures => Interlocked.Read(ref _connectionFailures);

    /// <summary>AVL packets acknowledged.</summary>
    public long PacketsAcked => Interlocked.Read(ref _packetsAcked);

    /// <summary>AVL records written to sockets.</summary>
    public long RecordsSent => Interlocked.Read(ref _recordsSent);

    /// <summary>AVL records the server acknowledged (each one is on the raw topic).</summary>
    public long RecordsAcked => Interlocked.Read(ref _recordsAcked);

    /// <summary>Gateway HTTP requests sent.</summary>
    public long HttpRequests => Interlocked.Read(ref _httpRequests);

    /// <summary>Gateway HTTP requests refused (any status other than 2xx, or no answer).</summary>
    public long HttpRefused => Interlocked.Read(ref _httpRefused);

    /// <summary>Wi-Fi records the gateway endpoints accepted (each one is on the raw topic).</summary>
    public long HttpRecordsAccepted => Interlocked.Read(ref _httpRecordsAccepted);

    /// <summary>Refused gateway requests counted by endpoint, HTTP status and reason code, most frequent first.</summary>
    public IReadOnlyList<KeyValuePair<GatewayRefusal, long>> Refusals =>
        [.. _refusals.OrderByDescending(static r => r.Value).ThenBy(static r => r.Key.Endpoint, StringComparer.Ordinal)
            .ThenBy(static r => r.Key.Status).ThenBy(static r => r.Key.Reason, StringComparer.Ordinal)];

    /// <summary>
    /// One line per kind of refusal in <see cref="Refusals"/>: count, endpoint, status, reason code, and what to do when
    /// the endpoint is not configured. Carries no identifier, token or secret.
    /// </summary>
    public IReadOnlyList<string> DescribeRefusals() =>
        [.. Refusals.Select(static r => string.Create(CultureInfo.InvariantCulture, $"{r.Value} {Describe(r.Key)}"))];

    private static string Describe(GatewayRefusal refusal)
    {
        string endpoint = refusal.Endpoint == "meraki" ? "Meraki (/meraki/v3)" : "portal (/portal/v1/sessions)";
        if (refusal.Status == 0)
        {
            return $"{endpoint}: no answer (connection refused, reset or timed out)";
        }

        string status = refusal.Status.ToString(CultureInfo.InvariantCulture);
        if (refusal.Status == 404 && refusal.Reason is null or "gateway-not-configured")
        {
            string what = refusal.Reason is null ? "404 with no reason: the endpoint or its gateway is not configured on Ingest" : "404 gateway-not-configured";
            string settings = refusal.Endpoint == "meraki"
                ? "Ingest:Meraki:Validator, Ingest:Meraki:Secret and Ingest:Meraki:Networks:<networkId>:OutletId"
                : "Ingest:Portal:Gateways:<gatewayId>:Token and Ingest:Portal:Gateways:<gatewayId>:OutletId";
            return $"{endpoint}: {what}; set {settings} (and Keys:Path) on Ingest";
        }

        return $"{endpoint}: {status} {refusal.Reason ?? "with no reason"}";
    }

    internal void HttpRefusal(GatewayRefusal refusal) => _refusals.AddOrUpdate(refusal, 1, static (_, n) => n + 1);

    internal void ConnectionOpened()
    {
        Interlocked.Increment(ref _connections);
        Interlocked.Increment(ref _activeConnections);
    }

    internal void ConnectionClosed() => Interlocked.Decrement(ref _activeConnections);

    internal void ConnectionFailed() => Interlocked.Increment(ref _connectionFailures);

    internal void RecordsWritten(int count) => Interlocked.Add(ref _recordsSent, count);

    internal void PacketAcked(int records)
    {
        Interlocked.Increment(ref _packetsAcked);
        Interlocked.Add(ref _recordsAcked, records);
    }

    internal void HttpAnswered(bool accepted, int records)
    {
        Interlocked.Increment(ref _httpRequests);
        if (accepted)
        {
            Interlocked.Add(ref _httpRecordsAccepted, records);
        }
        else
        {
            Interlocked.Increment(ref _httpRefused);
        }
    }
}
