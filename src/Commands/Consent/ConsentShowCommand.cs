using Sieve.Commands.Policy;
using Sieve.Contracts.Identifiers;
using Sieve.Contracts.Pseudonymization;
using Sieve.Contracts.Purposes;
using Sieve.Core.Consent;
using Sieve.Core.Policy;
using Spectre.Console;

namespace Sieve.Commands.Consent;

/// <summary>
/// <c>sieve consent show</c>: a subject's stored consent record, read from Redis by its consent key, and the
/// subject's pseudonym for each purpose of the policy.
/// </summary>
internal sealed class ConsentShowCommand(CliSession session) : SieveCommand<ConsentShowSettings>(session)
{
    public const string Name = "consent show";

    public const string Summary = "show a subject's consent record in Redis and its pseudonym per purpose";

    public const string DefaultRedis = "localhost:6379";

    public const string Usage = $"""
        Usage: sieve consent show --type vin|phone|mac|device-id --id ID [--redis HOST:PORT] [--keys FILE | --demo-keys]
                                  [--policy FILE]

        Normalizes the identifier, computes the subject's consent key (its keyed pseudonym under purpose
        consent-index) and reads the subject's record from the consent store in Redis. Prints, per declared
        purpose, the state, effective time, when a grant expires (the earlier of its own expiresAt and its
        effective time plus the purpose's consentMaxAge under --policy; "never" when neither bounds it) and
        policy version, and whether the subject is a minor; then the
        subject's pseudonym for each purpose of the policy (today's, UTC, for daily-rotating ones).

        Options:
          --type TYPE        vin, phone, mac or device-id
          --id ID            the identifier, in any usual spelling (it is normalized)
          --redis HOST:PORT  the consent store (default {DefaultRedis})
          --keys FILE        master keys file (see 'sieve keys generate'); default: ${MasterKeyRing.EnvironmentVariable}
          --demo-keys        use the public demo master key (as 'sieve demo' does)
          --policy FILE      policy whose purposes get pseudonyms (default: the shipped policy)

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

        var header = new Grid().AddColumn(new GridColumn().NoWrap()).AddColumn();
        header.AddRow(new Markup("[bold]subject[/]"), new Text($"{SubjectTypeNames.NameOf(type)}; consent key {consentKey} (key {ring.Active.Id}/{PseudonymKeyFactory.ConsentIndexPurpose}/{PseudonymKeyFactory.StableEpoch})"));
        header.AddRow(new Markup("[bold]store[/]"), new Text($"redis {redis}" + (record.IsEmpty ? ": no record (never consented: nothing that needs consent is forwarded)" : "")));
        header.AddRow(new Markup("[bold]minor[/]"), new Text(record.Minor ? "yes: nothing of this subject's is forwarded to any purpose" : "no"));
        console.Write(header);
        console.WriteLine();

        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var consent = new Table().Border(TableBorder.Rounded).AddColumn("purpose").AddColumn("state").AddColumn("effective").AddColumn("expires").AddColumn("policy version");
        for (int i = 0; i < KnownPurposes.Count; i++)
        {
            PurposeConsent p = record.GetPurpose(i);
            string state = p.State switch
            {
                ConsentState.Granted => "granted",
                ConsentState.Withdrawn => "withdrawn",
                _ => "none",
            };
            consent.AddRow(
                new Text(KnownPurposes.All[i]),
                new Text(state),
                new Text(p.State == ConsentState.None ? "-" : ExplainValues.Time(p.EffectiveTimeMillis)),
                new Text(Expiry(p, MaxAgeOf(policy, i), now)),
                new Text(p.PolicyVersion ?? "-"));
        }

        console.Write(consent);
        console.WriteLine();

        string today = PseudonymKeyFactory.DailyEpoch(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        var pseudonyms = new Table().Border(TableBorder.Rounded).Title($"pseudonyms under {policy.Source}")
            .AddColumn("purpose").AddColumn("key id").AddColumn("pseudonym");
        foreach (PurposePlan plan in policy.Purposes)
        {
            if (plan.Rotation == PseudonymRotation.Segment)
            {
                // Segment pseudonyms are random: no key leads from the subject to them.
                pseudonyms.AddRow(new Text(plan.Name), new Text("segment"), new Text("random per trip segment; none belongs to the subject"));
                continue;
            }

            string epoch = plan.Rotation == PseudonymRotation.DailyUtc ? today : PseudonymKeyFactory.StableEpoch;
            using PseudonymKey key = factory.Create(plan.Name, epoch);
            pseudonyms.AddRow(new Text(plan.Name), new Text(key.KeyId), new Text(key.ComputeString(type, normalizedId)));
        }

        console.Write(pseudonyms);
        return ExitCodes.Ok;
    }

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
    protected override string CommandName => ConsentShowCommand.Name;
}
