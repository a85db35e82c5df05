using System.Globalization;
using System.Net;
using Microsoft.Extensions.Configuration;
using Sieve.Contracts;
using Sieve.Core.Teltonika.Protocol;

namespace Sieve.Core.Teltonika.Server;

/// <summary>Settings of the Teltonika TCP endpoint, read from configuration and validated at start-up.</summary>
public sealed class TeltonikaOptions
{
    /// <summary>The configuration section of these settings.</summary>
    public const string Section = "Ingest:Teltonika";

    /// <summary><c>Ingest:Teltonika:Port</c>: TCP port units connect to (default 5027; 0 picks a free port).</summary>
    public int Port { get; init; } = 5027;

    /// <summary><c>Ingest:Teltonika:BindAddress</c>: address to listen on (default 0.0.0.0).</summary>
    public IPAddress BindAddress { get; init; } = IPAddress.Any;

    /// <summary><c>Ingest:Teltonika:MaxFrameBytes</c>: largest AVL packet accepted, checked from its header before any buffering (default 64 KiB).</summary>
    public int MaxFrameBytes { get; init; } = AvlPacketParser.DefaultMaxFrameBytes;

    /// <summary><c>Ingest:Teltonika:IdleTimeoutSeconds</c>: a connection that sends nothing for this long is closed (default 300).</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(300);

    /// <summary>
    /// <c>Ingest:Teltonika:MaxConnectionsPerAddress</c>: open connections allowed from one remote address (default 256;
    /// units behind a carrier's NAT share addresses, so keep it well above one).
    /// </summary>
    public int MaxConnectionsPerAddress { get; init; } = 256;

    /// <summary><c>Ingest:Teltonika:EventIdMasterKeyId</c>: pins the master key eventIds are derived from (default: the ring's active key).</summary>
    public string? EventIdMasterKeyId { get; init; }

    /// <summary><c>Topics:TelematicsRaw</c>: the raw topic records are published to.</summary>
    public string Topic { get; init; } = Topics.TelematicsRaw;

    /// <summary>Reads and validates the settings; throws <see cref="TeltonikaConfigurationException"/> naming the key at fault.</summary>
    public static TeltonikaOptions FromConfiguration(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        string? bind = configuration[Section + ":BindAddress"];
        IPAddress address = IPAddress.Any;
        if (!string.IsNullOrWhiteSpace(bind) && !IPAddress.TryParse(bind.Trim(), out address!))
        {
            throw new TeltonikaConfigurationException(Section + ":BindAddress: '" + bind + "' is not an IP address (e.g. 0.0.0.0, ::, 127.0.0.1).");
        }

        string? topic = configuration["Topics:TelematicsRaw"];
        return new TeltonikaOptions
        {
            Port = Int(configuration, Section + ":Port", 5027, 0, 65535),
            BindAddress = address,
            MaxFrameBytes = Int(configuration, Section + ":MaxFrameBytes", AvlPacketParser.DefaultMaxFrameBytes, AvlPacketParser.MinFrameLength, AvlPacketParser.MaxFrameBytesLimit),
            IdleTimeout = TimeSpan.FromSeconds(Int(configuration, Section + ":IdleTimeoutSeconds", 300, 1, 86_400)),
            MaxConnectionsPerAddress = Int(configuration, Section + ":MaxConnectionsPerAddress", 256, 1, 1_000_000),
            EventIdMasterKeyId = string.IsNullOrWhiteSpace(configuration[Section + ":EventIdMasterKeyId"]) ? null : configuration[Section + ":EventIdMasterKeyId"]!.Trim(),
            Topic = string.IsNullOrWhiteSpace(topic) ? Topics.TelematicsRaw : topic.Trim(),
        };
    }

    internal static int Int(IConfiguration configuration, string key, int fallback, int min, int max)
    {
        string? raw = configuration[key];
        if (string.IsNullOrWhiteSpace(raw))
        {
            return fallback;
        }

        if (!int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) || value < min || value > max)
        {
            throw new TeltonikaConfigurationException(key + ": '" + raw + "' is not a whole number from " + min + " to " + max + ".");
        }

        return value;
    }

    internal static bool Bool(IConfiguration configuration, string key, bool fallback)
    {
        string? raw = configuration[key];
        if (string.IsNullOrWhiteSpace(raw))
        {
            return fallback;
        }

        return bool.TryParse(raw, out bool value) ? value : throw new TeltonikaConfigurationException(key + ": '" + raw + "' is not true or false.");
    }
}
