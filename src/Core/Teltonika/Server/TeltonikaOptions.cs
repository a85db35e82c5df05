using System.Net;
using Sieve.Contracts;
using Sieve.Core.Teltonika.Protocol;

namespace Sieve.Core.Teltonika.Server;

/// <summary>
/// Settings of the Teltonika TCP endpoint. The host binds and validates them from configuration
/// (<c>Ingest:Teltonika:*</c>, <c>Topics:TelematicsRaw</c>) at start-up.
/// </summary>
public sealed class TeltonikaOptions
{
    /// <summary>The configuration section of these settings.</summary>
    public const string Section = "Ingest:Teltonika";

    /// <summary><c>Ingest:Teltonika:Port</c>: TCP port units connect to (default 5027; 0 picks a free port).</summary>
    public int Port { get; init; } = 5027;

    /// <summary><c>Ingest:Teltonika:BindAddress</c>: address to listen on (default 127.0.0.1).</summary>
    public IPAddress BindAddress { get; init; } = IPAddress.Loopback;

    /// <summary><c>Ingest:Teltonika:MaxFrameBytes</c>: largest AVL packet accepted, checked from its header before any buffering (default 64 KiB).</summary>
    public int MaxFrameBytes { get; init; } = AvlPacketParser.DefaultMaxFrameBytes;

    /// <summary><c>Ingest:Teltonika:IdleTimeoutSeconds</c>: a connection that sends nothing for this long is closed (default 300).</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(300);

    /// <summary>
    /// <c>Ingest:Teltonika:MaxConnectionsPerAddress</c>: open connections allowed from one remote address (default 256;
    /// units behind a carrier's NAT share addresses, so keep it well above one).
    /// </summary>
    public int MaxConnectionsPerAddress { get; init; } = 256;

    /// <summary>The default of <see cref="MaxConnections"/>: the fleet one instance was measured holding (docs/benchmarks.md, "Ingest").</summary>
    public const int DefaultMaxConnections = 10_000;

    /// <summary>
    /// <c>Ingest:Teltonika:MaxConnections</c>: open connections allowed in all (default <see cref="DefaultMaxConnections"/>);
    /// more are refused before anything is read, so the process never runs out of open files. Each takes one open
    /// file: the host checks at start-up that the process may open this many and more.
    /// </summary>
    public int MaxConnections { get; init; } = DefaultMaxConnections;

    /// <summary><c>Ingest:Teltonika:EventIdMasterKeyId</c>: pins the master key eventIds are derived from (default: the ring's active key).</summary>
    public string? EventIdMasterKeyId { get; init; }

    /// <summary><c>Topics:TelematicsRaw</c>: the raw topic records are published to.</summary>
    public string Topic { get; init; } = Topics.TelematicsRaw;
}
