using System.Diagnostics;
using System.Globalization;
using Sieve.Simulation;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Sieve.Commands.Load;

/// <summary>
/// <c>sieve load</c>: drives an Ingest service with simulated vehicles over TCP and simulated gateways over HTTP and
/// prints acknowledged records per second.
/// </summary>
public sealed class LoadCommand(CliSession session) : SieveCommand<LoadSettings>(session)
{
    /// <summary>Usage text.</summary>
    public const string Usage =
        "usage: sieve load [--tcp HOST:PORT] [--http URL] [--vehicles N] [--seconds S] [--records-per-vehicle N] [--records-per-packet N]\n"
        + "                  [--interval-ms MS] [--visitors N] [--meraki-secret S] [--meraki-network ID] [--portal-gateway ID]\n"
        + "                  [--portal-outlet ID] [--portal-token T] [--seed N]";

    /// <summary>Name of the command.</summary>
    public const string Name = "load";

    /// <summary>One-line summary for <c>sieve --help</c>.</summary>
    public const string Summary = "drive an Ingest service: vehicles over Teltonika TCP, gateways over HTTP; prints acked records/s";

    /// <summary>Runs the load; returns the process exit code (0 when every record sent was acknowledged).</summary>
    protected override async Task<int> RunAsync(LoadSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        LoadOptions options = settings.Options;
        var generator = new LoadGenerator(options);
        LoadStats stats = generator.Stats;
        var clock = Stopwatch.StartNew();
        Task run = generator.RunAsync(cancellationToken);
        long lastAcked = 0;
        double lastSeconds = 0;
        while (!run.IsCompleted)
        {
            await Task.WhenAny(run, Task.Delay(1000, CancellationToken.None)).ConfigureAwait(false);
            double seconds = clock.Elapsed.TotalSeconds;
            long acked = stats.RecordsAcked;
            double rate = seconds > lastSeconds ? (acked - lastAcked) / (seconds - lastSeconds) : 0;
            PlainText.WriteLine(Console, string.Create(CultureInfo.InvariantCulture,
                $"{seconds,6:F1} s  connections {stats.ActiveConnections,6}  acked records {acked,10}  {rate,9:F0} records/s  wifi accepted {stats.HttpRecordsAccepted,8}  refused {stats.HttpRefused + stats.ConnectionFailures}"));
            lastAcked = acked;
            lastSeconds = seconds;
        }

        await run.ConfigureAwait(false);
        double total = clock.Elapsed.TotalSeconds;
        PlainText.WriteLine(Console, string.Create(CultureInfo.InvariantCulture,
            $"done in {total:F1} s: {stats.Connections} connections, {stats.RecordsSent} records sent, {stats.RecordsAcked} acked ({stats.RecordsAcked / Math.Max(total, 0.001):F0} records/s), "
            + $"{stats.PacketsAcked} packets; {stats.HttpRequests} gateway requests, {stats.HttpRecordsAccepted} Wi-Fi records accepted, {stats.HttpRefused} refused; {stats.ConnectionFailures} connection failures"));
        return stats.RecordsAcked == stats.RecordsSent && stats.ConnectionFailures == 0 && stats.HttpRefused == 0 ? 0 : 1;
    }
}

/// <summary>The options of <c>sieve load</c>, checked into <see cref="LoadOptions"/>.</summary>
public sealed class LoadSettings : SieveSettings
{
    /// <summary><c>--tcp HOST:PORT</c>: the Teltonika TCP endpoint.</summary>
    [CommandOption("--tcp <HOST:PORT>")]
    public string? Tcp { get; init; }

    /// <summary><c>--http URL</c>: the gateway endpoints' base address.</summary>
    [CommandOption("--http <URL>")]
    public string? Http { get; init; }

    /// <summary><c>--vehicles N</c> as given.</summary>
    [CommandOption("--vehicles <N>")]
    public string? Vehicles { get; init; }

    /// <summary><c>--seconds S</c> as given.</summary>
    [CommandOption("--seconds <S>")]
    public string? Seconds { get; init; }

    /// <summary><c>--records-per-vehicle N</c> as given.</summary>
    [CommandOption("--records-per-vehicle <N>")]
    public string? RecordsPerVehicle { get; init; }

    /// <summary><c>--records-per-packet N</c> as given.</summary>
    [CommandOption("--records-per-packet <N>")]
    public string? RecordsPerPacket { get; init; }

    /// <summary><c>--interval-ms MS</c> as given.</summary>
    [CommandOption("--interval-ms <MS>")]
    public string? IntervalMs { get; init; }

    /// <summary><c>--visitors N</c> as given.</summary>
    [CommandOption("--visitors <N>")]
    public string? Visitors { get; init; }

    /// <summary><c>--seed N</c> as given.</summary>
    [CommandOption("--seed <N>")]
    public string? Seed { get; init; }

    /// <summary><c>--meraki-secret S</c>.</summary>
    [CommandOption("--meraki-secret <S>")]
    public string MerakiSecret { get; init; } = "meraki-shared-secret-0001";

    /// <summary><c>--meraki-network ID</c>.</summary>
    [CommandOption("--meraki-network <ID>")]
    public string MerakiNetwork { get; init; } = "N_24329156";

    /// <summary><c>--portal-gateway ID</c>.</summary>
    [CommandOption("--portal-gateway <ID>")]
    public string PortalGateway { get; init; } = "gw-bj-01";

    /// <summary><c>--portal-outlet ID</c>.</summary>
    [CommandOption("--portal-outlet <ID>")]
    public string PortalOutlet { get; init; } = "outlet-bj-01";

    /// <summary><c>--portal-token T</c>.</summary>
    [CommandOption("--portal-token <T>")]
    public string PortalToken { get; init; } = "portal-token-bj-01-7f3a9c";

    /// <summary>What the run sends, where and for how long, once validated.</summary>
    public LoadOptions Options { get; } = new();

    /// <inheritdoc/>
    protected override string CommandName => LoadCommand.Name;

    /// <inheritdoc/>
    public override ValidationResult Validate()
    {
        LoadOptions o = Options;
        int value;
        if (Tcp is not null)
        {
            int colon = Tcp.LastIndexOf(':');
            if (colon <= 0 || !TryInt(Tcp[(colon + 1)..], 1, 65535, out int port)) { return ValidationResult.Error("--tcp needs HOST:PORT"); }
            o.TcpHost = Tcp[..colon];
            o.TcpPort = port;
        }

        if (Vehicles is not null)
        {
            if (!TryInt(Vehicles, 0, 100_000, out value)) { return ValidationResult.Error("--vehicles needs a whole number from 0 to 100000"); }
            o.Vehicles = value;
        }

        if (Seconds is not null)
        {
            if (!TryInt(Seconds, 1, 86_400, out value)) { return ValidationResult.Error("--seconds needs a whole number from 1 to 86400"); }
            o.Duration = TimeSpan.FromSeconds(value);
        }

        if (RecordsPerVehicle is not null)
        {
            if (!TryInt(RecordsPerVehicle, 0, int.MaxValue, out value)) { return ValidationResult.Error("--records-per-vehicle needs a whole number (0: no limit)"); }
            o.RecordsPerVehicle = value;
        }

        if (RecordsPerPacket is not null)
        {
            if (!TryInt(RecordsPerPacket, 1, 255, out value)) { return ValidationResult.Error("--records-per-packet needs a whole number from 1 to 255"); }
            o.RecordsPerPacket = value;
        }

        if (IntervalMs is not null)
        {
            if (!TryInt(IntervalMs, 0, 3_600_000, out value)) { return ValidationResult.Error("--interval-ms needs a whole number of milliseconds"); }
            o.PacketInterval = TimeSpan.FromMilliseconds(value);
        }

        if (Visitors is not null)
        {
            if (!TryInt(Visitors, 0, 1_000_000, out value)) { return ValidationResult.Error("--visitors needs a whole number"); }
            o.Visitors = value;
        }

        if (Seed is not null)
        {
            if (!TryInt(Seed, int.MinValue, int.MaxValue, out value)) { return ValidationResult.Error("--seed needs a whole number"); }
            o.Seed = value;
        }

        if (Http is not null)
        {
            if (!Uri.TryCreate(Http.EndsWith('/') ? Http : Http + "/", UriKind.Absolute, out Uri? baseAddress)
                || (baseAddress.Scheme != Uri.UriSchemeHttp && baseAddress.Scheme != Uri.UriSchemeHttps))
            {
                return ValidationResult.Error("--http needs a URL such as http://127.0.0.1:8080");
            }

            o.Http = new GatewayTargets
            {
                BaseAddress = baseAddress,
                MerakiSecret = MerakiSecret,
                MerakiNetworkId = MerakiNetwork,
                PortalGatewayId = PortalGateway,
                PortalOutletId = PortalOutlet,
                PortalToken = PortalToken,
            };
        }

        return o.TcpHost is null && o.Http is null
            ? ValidationResult.Error($"give --tcp HOST:PORT, --http URL, or both; run 'sieve {CommandName} --help'")
            : ValidationResult.Success();
    }
}
