using System.Diagnostics.Metrics;

namespace Sieve.Core.Teltonika.Server;

/// <summary>
/// Instruments of the Teltonika endpoint on the <see cref="MeterName"/> meter. Tags carry codecs and reason codes
/// only, never an identifier or an address.
/// </summary>
public sealed class TeltonikaMetrics : IDisposable
{
    /// <summary>The meter shared by the Ingest service's instruments.</summary>
    public const string MeterName = "Sieve.Ingest";

    private readonly Meter _meter;
    private readonly Counter<long> _connections;
    private readonly UpDownCounter<long> _activeConnections;
    private readonly Counter<long> _packets;
    private readonly Counter<long> _records;
    private readonly Counter<long> _recordsWithoutVin;
    private readonly Counter<long> _bytes;
    private readonly Counter<long> _rejects;
    private readonly Histogram<double> _ackLatency;

    /// <summary>Creates the instruments on a meter from <paramref name="meterFactory"/>.</summary>
    public TeltonikaMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _meter = meterFactory.Create(MeterName);
        _connections = _meter.CreateCounter<long>("sieve.ingest.teltonika.connections", "{connection}", "TCP connections accepted (before the handshake).");
        _activeConnections = _meter.CreateUpDownCounter<long>("sieve.ingest.teltonika.active_connections", "{connection}", "TCP connections open now.");
        _packets = _meter.CreateCounter<long>("sieve.ingest.teltonika.packets", "{packet}", "AVL packets persisted and acknowledged.");
        _records = _meter.CreateCounter<long>("sieve.ingest.teltonika.records", "{record}", "AVL records persisted and acknowledged.");
        _recordsWithoutVin = _meter.CreateCounter<long>("sieve.ingest.teltonika.records_without_vin", "{record}", "Records published with an empty VIN (neither the unit nor the registry gave one).");
        _bytes = _meter.CreateCounter<long>("sieve.ingest.teltonika.bytes", "By", "Bytes of well-formed AVL packets received.");
        _rejects = _meter.CreateCounter<long>("sieve.ingest.teltonika.rejects", "{reject}", "Connections refused or closed because of bad input or unavailable storage, by reason.");
        _ackLatency = _meter.CreateHistogram<double>("sieve.ingest.teltonika.ack_latency", "ms", "From a whole packet received to its acknowledgement written (Kafka persistence included).");
    }

    internal void ConnectionOpened()
    {
        _connections.Add(1);
        _activeConnections.Add(1);
    }

    internal void ConnectionClosed() => _activeConnections.Add(-1);

    internal void Reject(string reason) => _rejects.Add(1, new KeyValuePair<string, object?>("reason", reason));

    internal void PacketAcknowledged(string codec, int bytes, int records, int recordsWithoutVin, double latencyMs)
    {
        var tag = new KeyValuePair<string, object?>("codec", codec);
        _packets.Add(1, tag);
        _records.Add(records, tag);
        _bytes.Add(bytes, tag);
        if (recordsWithoutVin > 0)
        {
            _recordsWithoutVin.Add(recordsWithoutVin);
        }

        _ackLatency.Record(latencyMs, tag);
    }

    /// <inheritdoc />
    public void Dispose() => _meter.Dispose();
}
