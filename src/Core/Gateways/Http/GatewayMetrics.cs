using System.Diagnostics;
using System.Diagnostics.Metrics;
using Sieve.Core.Teltonika.Server;

namespace Sieve.Core.Gateways.Http;

/// <summary>
/// Instruments of the HTTP gateway endpoints on the Ingest service's meter (<see cref="TeltonikaMetrics.MeterName"/>).
/// Tags are bounded: the endpoint name (<c>meraki</c>, <c>portal-login</c>, <c>portal-session</c>), the HTTP status
/// and the answer's reason code (the fixed codes of <see cref="GatewayErrorCodes"/> and the identifier codes); never
/// a gateway id, an identifier, a token or any other value from a request.
/// </summary>
public sealed class GatewayMetrics : IDisposable
{
    private const string EndpointTag = "endpoint";
    private const string StatusTag = "status";
    private const string ReasonTag = "reason";

    private readonly Meter _meter;
    private readonly Counter<long> _requests;
    private readonly Counter<long> _records;
    private readonly Counter<long> _randomizedMacRecords;
    private readonly Counter<long> _rejects;
    private readonly Histogram<double> _requestDuration;
    private readonly Histogram<double> _ackLatency;

    /// <summary>Creates the instruments on a meter from <paramref name="meterFactory"/>.</summary>
    public GatewayMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _meter = meterFactory.Create(TeltonikaMetrics.MeterName);
        _requests = _meter.CreateCounter<long>("sieve.ingest.gateway.accepted_requests", "{request}",
            "Requests answered 202: every record of them persisted by Kafka.");
        _records = _meter.CreateCounter<long>("sieve.ingest.gateway.records", "{record}",
            "Records (Meraki observations, portal logins and sessions) persisted by Kafka and acknowledged to the gateway.");
        _randomizedMacRecords = _meter.CreateCounter<long>("sieve.ingest.gateway.randomized_mac_records", "{record}",
            "Accepted records whose subject is a randomized (locally administered) client MAC: no phone number, no device id.");
        _rejects = _meter.CreateCounter<long>("sieve.ingest.gateway.rejects", "{request}",
            "Requests refused (4xx), deferred (429, 503) or failed (500), by endpoint, status and reason code.");
        _requestDuration = _meter.CreateHistogram<double>("sieve.ingest.gateway.request_duration", "ms",
            "From the request reaching the endpoint to its answer written, by endpoint and status.");
        _ackLatency = _meter.CreateHistogram<double>("sieve.ingest.gateway.ack_latency", "ms",
            "From a request's records handed to the producer to Kafka's acknowledgement of all of them.");
    }

    /// <summary>
    /// A request was answered 202 after Kafka persisted its <paramref name="records"/>, of which
    /// <paramref name="randomizedMacRecords"/> have a randomized MAC as their subject.
    /// </summary>
    internal void Accepted(string endpoint, int records, int randomizedMacRecords, TimeSpan ackLatency)
    {
        var tag = new KeyValuePair<string, object?>(EndpointTag, endpoint);
        _requests.Add(1, tag);
        _records.Add(records, tag);
        if (randomizedMacRecords > 0)
        {
            _randomizedMacRecords.Add(randomizedMacRecords, tag);
        }

        _ackLatency.Record(ackLatency.TotalMilliseconds, tag);
    }

    /// <summary>A request was answered <paramref name="status"/> with reason <paramref name="reason"/> (a fixed code).</summary>
    internal void Rejected(string endpoint, int status, string reason) => _rejects.Add(1,
        new KeyValuePair<string, object?>(EndpointTag, endpoint),
        new KeyValuePair<string, object?>(StatusTag, status),
        new KeyValuePair<string, object?>(ReasonTag, reason));

    /// <summary>A request that reached the endpoint at <paramref name="startedTimestamp"/> (<see cref="Stopwatch"/>) was answered <paramref name="status"/>.</summary>
    internal void Completed(string endpoint, int status, long startedTimestamp) => _requestDuration.Record(
        Stopwatch.GetElapsedTime(startedTimestamp).TotalMilliseconds,
        new KeyValuePair<string, object?>(EndpointTag, endpoint),
        new KeyValuePair<string, object?>(StatusTag, status));

    /// <inheritdoc />
    public void Dispose() => _meter.Dispose();
}
