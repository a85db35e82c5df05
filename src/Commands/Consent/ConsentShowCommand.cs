using System.Text;
using System.Text.Json;
using Sieve.Commands.Policy;
using Sieve.Contracts.Identifiers;
using Sieve.Contracts.Pseudonymization;
using Sieve.Contracts.Purposes;
using Sieve.Core.Consent;
using Sieve.Core.Policy;
using Spectre.Console;

namespace Sieve.Commands.Consent;

/// <summary>
/// <c>sieve consent show</c>: a subject's stored consent record, read from Redis by its consent key (the erased and
/// minor flags, each purpose's state and what is in force), and the subject's pseudonym for each purpose of the policy.
/// </summary>
internal sealed class ConsentShowCommand(CliSession session) : SieveCommand<ConsentShowSettings>(session)
{
    public const string Name = "consent show";

    public const string Summary = "show a subject's consent record in Redis and its pseudonym per purpose";

    public const string DefaultRedis = "localhost:6379";

    public const string Usage = $"""
        Usage: sieve consent show --type vin|phone|mac|device-id --id ID [--redis HOST:PORT] [--keys FILE | --demo-keys]
                                  [--policy FILE] [--json]

        Normalizes the identifier, computes the subject's consent key (its keyed pseudonym under purpose
        consent-index) and reads the subject's record from the consent store in Redis. Prints, per declared
        purpose, the state, effective time, when a grant expires (the earlier of its own expiresAt and its
        effective time plus the purpose's consentMaxAge under --policy; "never" when neither bounds it) and
        policy version, and what is in force now (forwarded, or withheld with the reason: erased and minor
        come first, whatever the purpose's state); whether the subject was erased and whether it is a minor;
        then the subject's pseudonym for each purpose of the policy (today's, UTC, for daily-rotating ones).

        Options:
          --type TYPE        vin, phone, mac or device-id (required)
          --id ID            the identifier in any usual spelling, normalized (required)
          --redis HOST:PORT  the consent store (default {DefaultRedis})
          --keys FILE        master keys file (see 'sieve keys generate'); default: ${MasterKeyRing.EnvironmentVariable}
          --demo-keys        use the public demo master key (as 'sieve demo' does)
          --policy FILE      policy whose purposes get pseudonyms (default: the shipped policy)
          --json             one JSON object instead of tables

        Example:
          sieve consent show --type phone --id "+86 139 1762 0458" --redis localhost:6379 --demo-keys
        """;

    protected override async Task<int> RunAsync(ConsentShowSettings settings, CancellationToken cancellationToken)
    {
        IAnsiConsole console = Console;
        SubjectType type = settings.SubjectType;
        string normalizedId = settings.NormalizedId;
        MasterKeyRing ring = MasterKeyArguments.Load(settings.Keys, settings.DemoKeys);
        CompiledPolicy policy = PolicyFiles.Load(settings.Policy);
        string redis = settings.Redis;

        var factory = new PseudonymKeyFactory(ring);
        string consentKey;
        using (PseudonymKey consentIndex = factory.Create(PseudonymKeyFactory.ConsentIndexPurpose, PseudonymKeyFactory.StableEpoch))
        {
            consentKey = consentIndex.ComputeString(type, normalizedId);
        }

        ConsentRecord record = await ReadAsync(redis, consentKey, cancellationToken).ConfigureAwait(false);
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        string today = PseudonymKeyFactory.DailyEpoch(now);
        var purposes = new List<PurposeRow>(KnownPurposes.Count);
        for (int i = 0; i < KnownPurposes.Count; i++)
        {
            PurposeConsent p = record.GetPurpose(i);
            purposes.Add(new PurposeRow(KnownPurposes.All[i], StateName(p.State), p.State == ConsentState.None ? null : ExplainValues.Time(p.EffectiveTimeMillis),
                Expiry(p, MaxAgeOf(policy, i), now), p.PolicyVersion, InForce(record, policy, i, now)));
        }

        var pseudonymRows = new List<PseudonymRow>();
        foreach (PurposePlan plan in policy.Purposes)
        {
            if (plan.Rotation == PseudonymRotation.Segment)
            {
                // Segment pseudonyms are random: no key leads from the subject to them.
                pseudonymRows.Add(new PseudonymRow(plan.Name, null, null));
                continue;
            }

            string epoch = plan.Rotation == PseudonymRotation.DailyUtc ? today : PseudonymKeyFactory.StableEpoch;
            using PseudonymKey key = factory.Create(plan.Name, epoch);
            pseudonymRows.Add(new PseudonymRow(plan.Name, key.KeyId, key.ComputeString(type, normalizedId)));
        }

        string consentKeyId = $"{ring.Active.Id}/{PseudonymKeyFactory.ConsentIndexPurpose}/{PseudonymKeyFactory.StableEpoch}";
        if (settings.Json)
        {
            PlainText.WriteLine(console, ToJson(type, consentKey, consentKeyId, record, purposes, policy.Source, pseudonymRows));
            return ExitCodes.Ok;
        }

        var header = new Grid().AddColumn(new GridColumn().NoWrap()).AddColumn();
        header.AddRow(new Markup("[bold]subject[/]"), new Text($"{SubjectTypeNames.NameOf(type)}; consent key {consentKey} (key {consentKeyId})"));
        header.AddRow(new Markup("[bold]store[/]"), new Text($"redis {ConsentStoreConnection.Shown(redis)}" + (record.IsEmpty ? ": no record (never consented: nothing that needs consent is forwarded)" : "")));
        header.AddRow(new Markup("[bold]erased[/]"), new Text(record.Erased ? "yes: the subject was erased; nothing of theirs is forwarded to any purpose, whatever a purpose's state says" : "no"));
        header.AddRow(new Markup("[bold]minor[/]"), new Text(record.Minor ? "yes: nothing of this subject's is forwarded to any purpose" : "no"));
        console.Write(header);
        console.WriteLine();

        var consent = new Table().Border(TableBorder.Rounded).AddColumn("purpose").AddColumn("state").AddColumn("effective").AddColumn("expires")
            .AddColumn("policy version").AddColumn("in force");
        foreach (PurposeRow row in purposes)
        {
            consent.AddRow(new Text(row.Purpose), new Text(row.State), new Text(row.Effective ?? "-"), new Text(row.Expires), new Text(row.PolicyVersion ?? "-"), new Text(row.InForce));
        }

        console.Write(consent);
        console.WriteLine();

        var pseudonyms = new Table().Border(TableBorder.Rounded).Title($"pseudonyms under {policy.Source}")
            .AddColumn("purpose").AddColumn("key id").AddColumn("pseudonym");
        foreach (PseudonymRow row in pseudonymRows)
        {
            pseudonyms.AddRow(new Text(row.Purpose), new Text(row.KeyId ?? "segment"), new Text(row.Pseudonym ?? "random per trip segment; none belongs to the subject"));
        }

        console.Write(pseudonyms);
        return ExitCodes.Ok;
    }

    /// <summary>
    /// What the Minimizer does with the subject's events for the purpose with index <paramref name="purposeId"/> now:
    /// <c>forwarded</c>, or <c>withheld: REASON</c> (erased and minor first, whatever the purpose's state).
    /// </summary>
    internal static string InForce(ConsentRecord record, CompiledPolicy policy, int purposeId, long nowMillis)
    {
        PurposePlan? plan = policy.Purposes.FirstOrDefault(p => p.PurposeId == purposeId);
        if (plan is null && !record.Erased && !record.Minor)
        {
            return "not in the policy";
        }

        ConsentDecision decision = ConsentRules.DecideForAllTimes(record, purposeId, plan?.ConsentRequired ?? true, plan?.ConsentMaxAgeMillis ?? ConsentRules.NoMaxAge,
            out _, out long forwardUntil);
        if (decision == ConsentDecision.Forward && forwardUntil <= nowMillis)
        {
            decision = ConsentDecision.WithheldExpired;
        }

        return decision == ConsentDecision.Forward ? "forwarded" : "withheld: " + decision.ToReasonCode();
    }

    private static string ToJson(SubjectType type, string consentKey, string consentKeyId, ConsentRecord record, List<PurposeRow> purposes, string policySource,
        List<PseudonymRow> pseudonyms)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("subjectType", SubjectTypeNames.NameOf(type));
            json.WriteString("consentKey", consentKey);
            json.WriteString("consentKeyId", consentKeyId);
            json.WriteBoolean("record", !record.IsEmpty);
            json.WriteBoolean("erased", record.Erased);
            json.WriteBoolean("minor", record.Minor);
            json.WriteStartArray("purposes");
            foreach (PurposeRow row in purposes)
            {
                json.WriteStartObject();
                json.WriteString("purpose", row.Purpose);
                json.WriteString("state", row.State);
                json.WriteString("effective", row.Effective);
                json.WriteString("expires", row.Expires);
                json.WriteString("policyVersion", row.PolicyVersion);
                json.WriteString("inForce", row.InForce);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteString("policy", policySource);
            json.WriteStartArray("pseudonyms");
            foreach (PseudonymRow row in pseudonyms)
            {
                json.WriteStartObject();
                json.WriteString("purpose", row.Purpose);
                json.WriteString("keyId", row.KeyId);
                json.WriteString("pseudonym", row.Pseudonym);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>A consent state as the commands spell it: granted, withdrawn or none.</summary>
    internal static string StateName(ConsentState state) => state switch
    {
        ConsentState.Granted => "granted",
        ConsentState.Withdrawn => "withdrawn",
        _ => "none",
    };

    private sealed record PurposeRow(string Purpose, string State, string? Effective, string Expires, string? PolicyVersion, string InForce);

    /// <summary>A purpose's pseudonym today; key id and pseudonym null for segment pseudonyms.</summary>
    private sealed record PseudonymRow(string Purpose, string? KeyId, string? Pseudonym);

    /// <summary>
    /// When a grant stops being valid under a purpose max age of <paramref name="maxAgeMillis"/>: a time, marked
    /// when it has passed; <c>never</c> when nothing bounds it; <c>-</c> for anything but a grant.
    /// </summary>
    internal static string Expiry(in PurposeConsent consent, long maxAgeMillis, long nowMillis)
    {
        if (consent.State != ConsentState.Granted)
        {
            return "-";
        }

        long until = ConsentRules.ValidUntil(consent, maxAgeMillis);
        return until == long.MaxValue ? "never"
            : ExplainValues.Time(until) + (until <= nowMillis ? " (expired)" : "");
    }

    /// <summary>The consent max age <paramref name="policy"/> gives the purpose with index <paramref name="purposeId"/>; none when it has no such purpose.</summary>
    internal static long MaxAgeOf(CompiledPolicy policy, int purposeId)
    {
        foreach (PurposePlan plan in policy.Purposes)
        {
            if (plan.PurposeId == purposeId)
            {
                return plan.ConsentMaxAgeMillis;
            }
        }

        return ConsentRules.NoMaxAge;
    }

    private static async Task<ConsentRecord> ReadAsync(string redis, string consentKey, CancellationToken cancellationToken)
    {
        RedisConsentStore store = await ConsentStoreConnection.ConnectAsync(redis).ConfigureAwait(false);
        await using (store.ConfigureAwait(false))
        {
            try
            {
                return await store.GetAsync(consentKey, cancellationToken).ConfigureAwait(false);
            }
            catch (ConsentUnavailableException e)
            {
                throw ConsentStoreConnection.Unavailable(redis, e);
            }
        }
    }
}

/// <summary>The options of <c>sieve consent show</c>.</summary>
internal sealed class ConsentShowSettings() : SubjectLookupSettings(ConsentShowCommand.DefaultRedis)
{
    /// <summary><c>--json</c>.</summary>
    [Spectre.Console.Cli.CommandOption("--json")]
    public bool Json { get; init; }

    protected override string CommandName => ConsentShowCommand.Name;
}
