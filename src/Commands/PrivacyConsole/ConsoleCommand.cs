using System.Globalization;
using System.Net;
using Sieve.Commands.Consent;
using Sieve.Commands.Policy;
using Sieve.Contracts;
using Sieve.Contracts.Pseudonymization;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Sieve.Commands.PrivacyConsole;

/// <summary>
/// <c>sieve console</c>: serves the privacy console (<see cref="ConsoleServer"/>) until stopped.
/// </summary>
internal sealed class ConsoleCommand(CliSession session) : SieveCommand<ConsoleSettings>(session)
{
    public const string Name = "console";

    public const string Summary = "serve the privacy console: subject lookup, audit, erasure and anonymity pages";

    public const string DefaultListen = "127.0.0.1:8090";

    public const string DefaultBootstrap = "localhost:9092";

    public const string DefaultRedis = "localhost:6379";

    public const string DefaultLake = "./lake";

    /// <summary>The environment variable that holds the sign-in token when <c>--token-file</c> is not given.</summary>
    public const string TokenVariable = "SIEVE_CONSOLE_TOKEN";

    public static string Usage => $"""
        Usage: sieve console [--listen HOST:PORT] [--token-file FILE] [--bootstrap HOST:PORT] [--redis HOST:PORT]
                             [--keys FILE | --demo-keys] [--policy FILE] [--lake DIR] [--privacy-report FILE]

        Serves a web page for privacy officers, read-mostly, with everything it needs inside this tool (no
        CDN, no script): a subject lookup by identifier (consent per purpose with expiry, the erased and minor
        flags, lake rows per purpose, erasure requests and their receipts; an erasure request or a consent
        withdrawal, each after a confirmation), the audit (inputs per purpose and outcome over time from
        {Topics.Audit}, and quarantine reasons), erasure requests with their receipts and time to completion,
        and the anonymity figures of the latest 'sieve privacy --json FILE' run. The identifier is typed into
        a form and posted; the console derives the pseudonyms and keeps the identifier in memory for
        {ConsoleOptions.DefaultLookupMinutes} minutes under a random handle, so it is never in a URL, a log or a page.
        Every page needs the sign-in token: from --token-file, else ${TokenVariable}, else a random one this
        command prints at start. Stop it with Ctrl+C.

        Options:
          --listen HOST:PORT     where to serve; loopback unless told otherwise (default {DefaultListen})
          --token-file FILE      a file holding the sign-in token, at least {ConsoleOptions.MinTokenLength} characters (default:
                                 ${TokenVariable}, else a random token printed at start)
          --bootstrap HOST:PORT  Kafka: audit, erasure requests and receipts, consent changes (default {DefaultBootstrap})
          --redis HOST:PORT      the consent store (default {DefaultRedis})
          --keys FILE            master keys file (see 'sieve keys generate'); default: ${MasterKeyRing.EnvironmentVariable}
          --demo-keys            use the public demo master key (as 'sieve demo' does)
          --policy FILE          the policy the pipeline runs (default: the shipped policy)
          --lake DIR             the Sink's lake root, Sink:Root (default {DefaultLake})
          --privacy-report FILE  the figures 'sieve privacy --json FILE' wrote (default: none; the page says how to make them)
          --audit-topic TOPIC    (default {Topics.Audit})
          --requests-topic TOPIC (default {Topics.ErasureRequests})
          --receipts-topic TOPIC (default {Topics.ErasureReceipts})
          --consent-topic TOPIC  (default {Topics.ConsentChanges})
        {KafkaClientProperties.UsageLines}

        Example:
          sieve console --bootstrap 127.0.0.1:9092 --redis 127.0.0.1:6379 --keys sieve-keys.json --lake ./lake
        """;

    protected override async Task<int> RunAsync(ConsoleSettings settings, CancellationToken cancellationToken)
    {
        string token;
        bool generated = false;
        if (settings.TokenFile is { } file)
        {
            try
            {
                token = (await File.ReadAllTextAsync(file, cancellationToken).ConfigureAwait(false)).Trim();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return ThrowHelper.Usage<int>($"--token-file '{file}' cannot be read ({e.GetType().Name})");
            }
        }
        else if (Environment.GetEnvironmentVariable(TokenVariable) is { Length: > 0 } fromEnvironment)
        {
            token = fromEnvironment.Trim();
        }
        else
        {
            token = ConsoleSessions.NewToken();
            generated = true;
        }

        if (token.Length < ConsoleOptions.MinTokenLength)
        {
            return ThrowHelper.Usage<int>($"the sign-in token must have at least {ConsoleOptions.MinTokenLength} characters; make one with: openssl rand -hex 24");
        }

        string lake = settings.Lake;
        if (!Directory.Exists(lake))
        {
            ThrowHelper.Usage($"--lake '{lake}' is not a directory; give the Sink's lake root (Sink:Root)");
        }

        var options = new ConsoleOptions
        {
            Listen = settings.Endpoint!,
            Token = token,
            Bootstrap = settings.Bootstrap,
            Kafka = KafkaClientProperties.From(settings),
            Redis = settings.Redis,
            Keys = MasterKeyArguments.Load(settings.Keys, settings.DemoKeys),
            Policy = PolicyFiles.Load(settings.Policy),
            Lake = lake,
            PrivacyReport = settings.PrivacyReport,
            AuditTopic = settings.AuditTopic,
            RequestsTopic = settings.RequestsTopic,
            ReceiptsTopic = settings.ReceiptsTopic,
            ConsentTopic = settings.ConsentTopic,
        };

        await using ConsoleServer server = await ConsoleServer.StartAsync(options, logging: null, cancellationToken).ConfigureAwait(false);
        PlainText.WriteLine(Console, $"privacy console at {server.Url} (policy {options.Policy.Source}; Kafka {options.Bootstrap}; Redis {ConsentStoreConnection.Shown(options.Redis)}; lake {Path.GetFullPath(lake)})");
        PlainText.WriteLine(Console, generated
            ? $"sign in with the token {token} (a new one at every start; set {TokenVariable} or --token-file to keep one)"
            : "sign in with the configured token");
        if (!IPAddress.IsLoopback(options.Listen.Address))
        {
            PlainText.WriteLine(Console, $"listening on {options.Listen}, not loopback: anyone who can reach it and has the token can look subjects up; put TLS in front of it");
        }

        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        PlainText.WriteLine(Console, string.Create(CultureInfo.InvariantCulture, $"privacy console stopped after {server.Lookups} lookups, {server.ErasureRequests} erasure requests and {server.Withdrawals} withdrawals"));
        return ExitCodes.Ok;
    }
}

/// <summary>The options of <c>sieve console</c>.</summary>
internal sealed class ConsoleSettings : KafkaClientSettings
{
    /// <summary><c>--listen</c>.</summary>
    [CommandOption("--listen <HOST:PORT>")]
    public string Listen { get; init; } = ConsoleCommand.DefaultListen;

    /// <summary><c>--token-file</c>.</summary>
    [CommandOption("--token-file <FILE>")]
    public string? TokenFile { get; init; }

    /// <summary><c>--bootstrap</c>.</summary>
    [CommandOption("--bootstrap <HOST:PORT>")]
    public string Bootstrap { get; init; } = ConsoleCommand.DefaultBootstrap;

    /// <summary><c>--redis</c>.</summary>
    [CommandOption("--redis <HOST:PORT>")]
    public string Redis { get; init; } = ConsoleCommand.DefaultRedis;

    /// <summary><c>--keys FILE</c>.</summary>
    [CommandOption("--keys <FILE>")]
    public string? Keys { get; init; }

    /// <summary><c>--demo-keys</c>.</summary>
    [CommandOption("--demo-keys")]
    public bool DemoKeys { get; init; }

    /// <summary><c>--policy FILE</c>; null for the shipped policy.</summary>
    [CommandOption("--policy <FILE>")]
    public string? Policy { get; init; }

    /// <summary><c>--lake</c>.</summary>
    [CommandOption("--lake <DIR>")]
    public string Lake { get; init; } = ConsoleCommand.DefaultLake;

    /// <summary><c>--privacy-report</c>.</summary>
    [CommandOption("--privacy-report <FILE>")]
    public string? PrivacyReport { get; init; }

    /// <summary><c>--audit-topic</c>.</summary>
    [CommandOption("--audit-topic <TOPIC>")]
    public string AuditTopic { get; init; } = Topics.Audit;

    /// <summary><c>--requests-topic</c>.</summary>
    [CommandOption("--requests-topic <TOPIC>")]
    public string RequestsTopic { get; init; } = Topics.ErasureRequests;

    /// <summary><c>--receipts-topic</c>.</summary>
    [CommandOption("--receipts-topic <TOPIC>")]
    public string ReceiptsTopic { get; init; } = Topics.ErasureReceipts;

    /// <summary><c>--consent-topic</c>.</summary>
    [CommandOption("--consent-topic <TOPIC>")]
    public string ConsentTopic { get; init; } = Topics.ConsentChanges;

    /// <summary>Where to listen, once validated.</summary>
    public IPEndPoint? Endpoint { get; private set; }

    protected override string CommandName => ConsoleCommand.Name;

    public override ValidationResult Validate()
    {
        if (!IPEndPoint.TryParse(Listen, out IPEndPoint? endpoint) || endpoint.Port is < 0 or > 65535 || !Listen.Contains(':', StringComparison.Ordinal))
        {
            return ValidationResult.Error("--listen must be IP:PORT, e.g. 127.0.0.1:8090 (0.0.0.0:8090 for every interface)");
        }

        Endpoint = endpoint;
        if (Keys is not null && DemoKeys)
        {
            return ValidationResult.Error("give --keys FILE or --demo-keys, not both");
        }

        if (PrivacyReport is not null && !File.Exists(PrivacyReport))
        {
            return ValidationResult.Error($"--privacy-report '{PrivacyReport}' is not a file; write one with: sieve privacy --json FILE ...");
        }

        return ValidationResult.Success();
    }
}
