using System.Diagnostics;
using System.Globalization;
using Sieve.Simulation;

namespace Sieve.Commands.Load;

/// <summary>
/// <c>sieve load</c>: drives an Ingest service with simulated vehicles over TCP and simulated gateways over HTTP and
/// prints acknowledged records per second.
/// </summary>
public static class LoadCommand
{
    /// <summary>Usage text.</summary>
    public const string Usage =
        "usage: sieve load [--tcp HOST:PORT] [--http URL] [--vehicles N] [--seconds S] [--records-per-vehicle N] [--records-per-packet N]\n"
        + "                  [--interval-ms MS] [--visitors N] [--meraki-secret S] [--meraki-network ID] [--portal-gateway ID]\n"
        + "                  [--portal-outlet ID] [--portal-token T] [--seed N]";

    /// <summary>Runs the command; returns the process exit code (0 when every record sent was acknowledged).</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        if (args is null || Array.Exists(args, a => a is "--help" or "-h"))
        {
            output.WriteLine(Usage);
            return 0;
        }

        LoadOptions? options = Parse(args, out string? problem);
        if (options is null)
        {
            error.WriteLine("sieve load: " + problem);
            return 2;
        }

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
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{seconds,6:F1} s  connections {stats.ActiveConnections,6}  acked records {acked,10}  {rate,9:F0} records/s  wifi accepted {stats.HttpRecordsAccepted,8}  refused {stats.HttpRefused + stats.ConnectionFailures}"));
            lastAcked = acked;
            lastSeconds = seconds;
        }

        await run.ConfigureAwait(false);
        double total = clock.Elapsed.TotalSeconds;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"done in {total:F1} s: {stats.Connections} connections, {stats.RecordsSent} records sent, {stats.RecordsAcked} acked ({stats.RecordsAcked / Math.Max(total, 0.001):F0} records/s), "
            + $"{stats.PacketsAcked} packets; {stats.HttpRequests} gateway requests, {stats.HttpRecordsAccepted} Wi-Fi records accepted, {stats.HttpRefused} refused; {stats.ConnectionFailures} connection failures"));
        return stats.RecordsAcked == stats.RecordsSent && stats.ConnectionFailures == 0 && stats.HttpRefused == 0 ? 0 : 1;
    }

    /// <summary>Parses <paramref name="args"/>; null with <paramref name="error"/> set when they are wrong.</summary>
    public static LoadOptions? Parse(IReadOnlyList<string> args, out string? error)
    {
        ArgumentNullException.ThrowIfNull(args);
        var o = new LoadOptions();
        string? httpUrl = null;
        string merakiSecret = "meraki-shared-secret-0001", merakiNetwork = "N_24329156";
        string portalGateway = "gw-bj-01", portalOutlet = "outlet-bj-01", portalToken = "portal-token-bj-01-7f3a9c";
        error = null;
        for (int i = 0; i < args.Count; i++)
        {
            string a = args[i];
            string? value = i + 1 < args.Count ? args[i + 1] : null;
            if (a is "--help" or "-h")
            {
                error = Usage;
                return null;
            }

            if (value is null)
            {
                error = a.StartsWith("--", StringComparison.Ordinal) ? a + " needs a value. " + Usage : "unknown option '" + a + "'. " + Usage;
                return null;
            }

            i++;
            switch (a)
            {
                case "--tcp":
                    int colon = value.LastIndexOf(':');
                    if (colon <= 0 || !TryInt(value[(colon + 1)..], 1, 65535, out int port))
                    {
                        error = "--tcp needs HOST:PORT";
                        return null;
                    }

                    o.TcpHost = value[..colon];
                    o.TcpPort = port;
                    break;
                case "--http":
                    httpUrl = value;
                    break;
                case "--vehicles":
                    if (!TryInt(value, 0, 100_000, out int v)) { error = "--vehicles needs a whole number from 0 to 100000"; return null; }
                    o.Vehicles = v;
                    break;
                case "--seconds":
                    if (!TryInt(value, 1, 86_400, out int s)) { error = "--seconds needs a whole number from 1 to 86400"; return null; }
                    o.Duration = TimeSpan.FromSeconds(s);
                    break;
                case "--records-per-vehicle":
                    if (!TryInt(value, 0, int.MaxValue, out int rv)) { error = "--records-per-vehicle needs a whole number (0: no limit)"; return null; }
                    o.RecordsPerVehicle = rv;
                    break;
                case "--records-per-packet":
                    if (!TryInt(value, 1, 255, out int rp)) { error = "--records-per-packet needs a whole number from 1 to 255"; return null; }
                    o.RecordsPerPacket = rp;
                    break;
                case "--interval-ms":
                    if (!TryInt(value, 0, 3_600_000, out int ms)) { error = "--interval-ms needs a whole number of milliseconds"; return null; }
                    o.PacketInterval = TimeSpan.FromMilliseconds(ms);
                    break;
                case "--visitors":
                    if (!TryInt(value, 0, 1_000_000, out int vis)) { error = "--visitors needs a whole number"; return null; }
                    o.Visitors = vis;
                    break;
                case "--seed":
                    if (!TryInt(value, int.MinValue, int.MaxValue, out int seed)) { error = "--seed needs a whole number"; return null; }
                    o.Seed = seed;
                    break;
                case "--meraki-secret": merakiSecret = value; break;
                case "--meraki-network": merakiNetwork = value; break;
                case "--portal-gateway": portalGateway = value; break;
                case "--portal-outlet": portalOutlet = value; break;
                case "--portal-token": portalToken = value; break;
                default:
                    error = "unknown option '" + a + "'. " + Usage;
                    return null;
            }
        }

        if (httpUrl is not null)
        {
            if (!Uri.TryCreate(httpUrl.EndsWith('/') ? httpUrl : httpUrl + "/", UriKind.Absolute, out Uri? baseAddress)
                || (baseAddress.Scheme != Uri.UriSchemeHttp && baseAddress.Scheme != Uri.UriSchemeHttps))
            {
                error = "--http needs a URL such as http://127.0.0.1:8080";
                return null;
            }

            o.Http = new GatewayTargets
            {
                BaseAddress = baseAddress,
                MerakiSecret = merakiSecret,
                MerakiNetworkId = merakiNetwork,
                PortalGatewayId = portalGateway,
                PortalOutletId = portalOutlet,
                PortalToken = portalToken,
            };
        }

        if (o.TcpHost is null && o.Http is null)
        {
            error = "give --tcp HOST:PORT, --http URL, or both. " + Usage;
            return null;
        }

        return o;
    }

    private static bool TryInt(string text, int min, int max, out int value) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out value) && value >= min && value <= max;
}
