using System.Globalization;
using System.Text;
using System.Text.Json;
using Sieve.Commands.Policy;
using Sieve.Core.Consent;
using Sieve.Core.Policy;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Sieve.Commands.Consent;

/// <summary>
/// <c>sieve consent expiring</c>: whom a consent-renewal campaign should ask. Lists the consent store in Redis
/// (<see cref="RedisConsentStore.ScanAsync"/>) and, per purpose of the policy that needs consent, the subjects whose
/// grant lapses within a window (<see cref="ExpiringConsents"/>), by consent key only, and how many have lapsed.
/// </summary>
internal sealed class ConsentExpiringCommand(CliSession session) : SieveCommand<ConsentExpiringSettings>(session)
{
    public const string Name = "consent expiring";

    public const string Summary = "list subjects whose consent grants lapse soon, per purpose (renewal)";

    public const string DefaultRedis = "localhost:6379";

    public const string DefaultWithin = "30d";

    /// <summary>The store's own default key prefix, so the command reads what the services write.</summary>
    public static readonly string DefaultKeyPrefix = new RedisConsentStoreOptions().KeyPrefix;

    private const long DayMillis = 86_400_000;

    public static string Usage => $"""
        Usage: sieve consent expiring [--within <n>d] [--redis HOST:PORT] [--key-prefix PREFIX] [--policy FILE] [--json]

        Lists whom a consent-renewal campaign should ask. Walks the consent store in Redis with SCAN (never
        KEYS, so the server is not blocked) and, for each purpose of the policy that needs consent, prints the
        subjects whose grant lapses within the window, soonest first, with the time it lapses, and counts those
        whose grant has lapsed already. A grant lapses at the earlier of its own expiresAt and its effective time
        plus the purpose's consentMaxAge; from then on the purpose gets nothing of the subject (withheld:expired).
        Subjects are shown by their consent key (their keyed pseudonym under consent-index) only: the store holds
        no identifier. Erased subjects and minors are left out (they cannot be asked), as are withdrawals and
        grants nothing bounds.

        Options:
          --within <n>d        the window, in whole days as a policy's retention is written (default {DefaultWithin})
          --redis HOST:PORT    the consent store (default {DefaultRedis})
          --key-prefix PREFIX  the store's key prefix, Consent:Redis:KeyPrefix (default {DefaultKeyPrefix})
          --policy FILE        policy whose purposes and consentMaxAge apply (default: the shipped policy)
          --json               one JSON object instead of text

        Example:
          sieve consent expiring --within 30d --redis localhost:6379 --json
        """;

    protected override async Task<int> RunAsync(ConsentExpiringSettings settings, CancellationToken cancellationToken)
    {
        CompiledPolicy policy = PolicyFiles.Load(settings.Policy);
        string redis = settings.Redis;
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var selection = new ExpiringConsents(policy, now, settings.WithinDays * DayMillis);

        RedisConsentStore store = await ConsentStoreConnection.ConnectAsync(redis, settings.KeyPrefix).ConfigureAwait(false);
        await using (store.ConfigureAwait(false))
        {
            try
            {
                await foreach ((string consentKey, ConsentRecord record) in store.ScanAsync(cancellationToken: cancellationToken).ConfigureAwait(false))
                {
                    selection.Add(consentKey, record);
                }
            }
            catch (ConsentUnavailableException e)
            {
                throw ConsentStoreConnection.Unavailable(redis, e);
            }
        }

        var report = new Report(now, settings.Within, now + (settings.WithinDays * DayMillis), settings.KeyPrefix, policy.Source, selection.Subjects, selection.Results());
        if (settings.Json)
        {
            PlainText.WriteLine(Console, ToJson(report));
        }
        else
        {
            WriteText(Console, redis, report);
        }

        return ExitCodes.Ok;
    }

    private static void WriteText(IAnsiConsole console, string redis, Report report)
    {
        PlainText.WriteLine(console, $"consent store: redis {ConsentStoreConnection.Shown(redis)}, keys {report.KeyPrefix}*; {Count(report.Subjects, "subject")}");
        PlainText.WriteLine(console, $"policy: {report.Policy}; grants lapsing within {report.Within} of {ExplainValues.Time(report.Now)} (until {ExplainValues.Time(report.Until)})");
        PlainText.WriteLine(console, "subjects are shown by consent key (keyed pseudonym), never by identifier");
        foreach (PurposeExpiry purpose in report.Purposes)
        {
            PlainText.WriteLine(console, "");
            PlainText.WriteLine(console, $"{purpose.Plan.Name} (consentMaxAge {MaxAge(purpose.Plan) ?? "none"}): {purpose.Expiring.Count} expiring within {report.Within}, {purpose.Expired} expired");
            foreach (ExpiringGrant grant in purpose.Expiring)
            {
                PlainText.WriteLine(console, $"  {grant.ConsentKey}  expires {ExplainValues.Time(grant.ExpiresAtMillis)}");
            }
        }
    }

    private static string ToJson(Report report)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("now", ExplainValues.Time(report.Now));
            json.WriteString("within", report.Within);
            json.WriteString("until", ExplainValues.Time(report.Until));
            json.WriteString("keyPrefix", report.KeyPrefix);
            json.WriteString("policy", report.Policy);
            json.WriteNumber("subjects", report.Subjects);
            json.WriteStartArray("purposes");
            foreach (PurposeExpiry purpose in report.Purposes)
            {
                json.WriteStartObject();
                json.WriteString("purpose", purpose.Plan.Name);
                if (MaxAge(purpose.Plan) is { } maxAge)
                {
                    json.WriteString("consentMaxAge", maxAge);
                }
                else
                {
                    json.WriteNull("consentMaxAge");
                }

                json.WriteNumber("expiring", purpose.Expiring.Count);
                json.WriteNumber("expired", purpose.Expired);
                json.WriteStartArray("grants");
                foreach (ExpiringGrant grant in purpose.Expiring)
                {
                    json.WriteStartObject();
                    json.WriteString("consentKey", grant.ConsentKey);
                    json.WriteString("expiresAt", ExplainValues.Time(grant.ExpiresAtMillis));
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    // The purpose's consentMaxAge as the policy writes it; null when it has none.
    private static string? MaxAge(PurposePlan plan) =>
        plan.ConsentMaxAge is { } age ? PolicyRetention.Format((int)age.TotalDays) : null;

    private static string Count(int n, string noun) => n.ToString(CultureInfo.InvariantCulture) + " " + noun + (n == 1 ? "" : "s");

    private sealed record Report(long Now, string Within, long Until, string KeyPrefix, string Policy, int Subjects, IReadOnlyList<PurposeExpiry> Purposes);
}

/// <summary>The options of <c>sieve consent expiring</c>.</summary>
internal sealed class ConsentExpiringSettings : SieveSettings
{
    /// <summary><c>--within &lt;n&gt;d</c>, as given.</summary>
    [CommandOption("--within <DAYS>")]
    public string Within { get; init; } = ConsentExpiringCommand.DefaultWithin;

    /// <summary><c>--redis</c>.</summary>
    [CommandOption("--redis <HOST:PORT>")]
    public string Redis { get; init; } = ConsentExpiringCommand.DefaultRedis;

    /// <summary><c>--key-prefix</c>.</summary>
    [CommandOption("--key-prefix <PREFIX>")]
    public string KeyPrefix { get; init; } = ConsentExpiringCommand.DefaultKeyPrefix;

    /// <summary><c>--policy FILE</c>; null for the shipped policy.</summary>
    [CommandOption("--policy <FILE>")]
    public string? Policy { get; init; }

    /// <summary><c>--json</c>.</summary>
    [CommandOption("--json")]
    public bool Json { get; init; }

    /// <summary>The window in days, once validated.</summary>
    public int WithinDays { get; private set; }

    protected override string CommandName => ConsentExpiringCommand.Name;

    /// <inheritdoc />
    public override ValidationResult Validate()
    {
        if (!PolicyRetention.TryParseDays(Within, out int days))
        {
            return ValidationResult.Error($"--within must be a whole number of days written <n>d, e.g. {ConsentExpiringCommand.DefaultWithin}, from {PolicyRetention.MinDays}d to {PolicyRetention.MaxDays}d");
        }

        if (KeyPrefix.Length == 0)
        {
            return ValidationResult.Error("--key-prefix must not be empty; give the store's prefix, Consent:Redis:KeyPrefix");
        }

        WithinDays = days;
        return ValidationResult.Success();
    }
}
