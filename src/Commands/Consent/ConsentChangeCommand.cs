using System.Globalization;
using System.Text;
using Confluent.Kafka;
using Sieve.Commands.Policy;
using Sieve.Contracts;
using Sieve.Contracts.Identifiers;
using Sieve.Contracts.Purposes;
using Sieve.Contracts.Records;
using Sieve.Core.Policy;
using Spectre.Console;

namespace Sieve.Commands.Consent;

/// <summary>
/// <c>sieve consent grant|withdraw</c>: publishes one ConsentChange to <c>consent.changes.v1</c>, keyed by the
/// subject's normalized identifier, with an idempotent acks=all producer, and waits for the delivery report.
/// </summary>
internal static class ConsentChangeCommand
{
    public const string GrantName = "consent grant";

    public const string WithdrawName = "consent withdraw";

    public const string GrantSummary = "publish a consent grant to consent.changes.v1";

    public const string WithdrawSummary = "publish a consent withdrawal to consent.changes.v1";

    public const string DefaultBootstrap = "localhost:9092";

    public const int DefaultTimeoutSeconds = 15;

    public static IReadOnlyList<OptionSpec> Options { get; } =
    [
        OptionSpec.Value("--type"),
        OptionSpec.Value("--id"),
        OptionSpec.Value("--purpose"),
        OptionSpec.Value("--bootstrap"),
        OptionSpec.Value("--effective"),
        OptionSpec.Flag("--minor"),
        OptionSpec.Value("--policy-version"),
        OptionSpec.Value("--topic"),
        OptionSpec.Value("--timeout"),
        .. KafkaClientProperties.Options,
    ];

    public static string Usage(bool granted)
    {
        string verb = granted ? "grant" : "withdraw";
        string what = granted ? "grants consent to" : "withdraws consent from";
        string indent = new(' ', "Usage: sieve consent ".Length + verb.Length + 1);
        return $"""
            Usage: sieve consent {verb} --type vin|phone|mac|device-id --id ID --purpose PURPOSE
            {indent}[--bootstrap HOST:PORT] [--effective ISO8601] [--minor] [--policy-version V]

            Publishes to {Topics.ConsentChanges} a ConsentChange saying the subject {what} PURPOSE, keyed by
            the subject's normalized identifier, and waits until the broker has it (acks=all, idempotent producer).
            The identifier is validated first; an invalid one is rejected with its reason code.

            Options:
              --type TYPE            vin, phone, mac or device-id
              --id ID                the identifier, in any usual spelling (it is normalized)
              --purpose PURPOSE      one of: {string.Join(", ", KnownPurposes.All)}
              --bootstrap HOST:PORT  Kafka bootstrap servers (default {DefaultBootstrap})
              --effective TIME       when the decision takes effect, ISO 8601 (default: now)
              --minor                the subject is under 18
              --policy-version V     privacy-policy version the subject saw (default: the shipped policy's)
              --topic TOPIC          topic to publish to (default {Topics.ConsentChanges})
              --timeout SECONDS      how long to wait for the delivery report (default {DefaultTimeoutSeconds})
            {KafkaClientProperties.UsageLines}

            Example:
              sieve consent {verb} --type vin --id LSVAU218XN2183294 --purpose personalization --bootstrap localhost:9092
            """;
    }

    public static async Task<int> RunAsync(CommandArguments args, IAnsiConsole console, bool granted, CancellationToken cancellationToken)
    {
        args.ExpectPositionals(0, 0, "");
        SubjectType type = SubjectArguments.Type(args);
        string purpose = args.Required("--purpose", "PURPOSE");
        if (KnownPurposes.IndexOf(purpose) < 0)
        {
            ThrowHelper.Usage($"--purpose must be one of {string.Join(", ", KnownPurposes.All)}");
        }

        string normalizedId = SubjectArguments.NormalizedId(args, type);
        long effective = ParseEffective(args.Value("--effective"));
        string policyVersion = args.Value("--policy-version") ?? PolicyLoader.LoadDefault().PolicyVersion;
        if (string.IsNullOrWhiteSpace(policyVersion))
        {
            ThrowHelper.Usage("--policy-version must not be empty");
        }

        string bootstrap = args.Value("--bootstrap", DefaultBootstrap);
        string topic = args.Value("--topic", Topics.ConsentChanges);
        int timeoutSeconds = KafkaPublish.ParseTimeout(args.Value("--timeout"), DefaultTimeoutSeconds);
        bool minor = args.Flag("--minor");

        var change = new ConsentChangeData
        {
            SubjectType = type,
            SubjectId = normalizedId,
            Purpose = purpose,
            Granted = granted,
            EffectiveTime = effective,
            PolicyVersion = policyVersion,
            Minor = minor,
        };

        DeliveryResult<byte[], byte[]> delivered = await KafkaPublish.PublishAsync(bootstrap, KafkaClientProperties.From(args), topic, timeoutSeconds,
            new Message<byte[], byte[]> { Key = change.MessageKey(), Value = change.ToMessage() }, cancellationToken).ConfigureAwait(false);

        string decision = granted ? "grant" : "withdrawal";
        PlainText.WriteLine(console, string.Create(CultureInfo.InvariantCulture,
            $"published {decision} of '{purpose}' for a {SubjectTypeNames.NameOf(type)} subject{(minor ? " (minor)" : "")}, effective {ExplainValues.Time(effective)}: {delivered.Topic} partition {delivered.Partition.Value} offset {delivered.Offset.Value}"));
        return ExitCodes.Ok;
    }

    private static long ParseEffective(string? text)
    {
        if (text is null)
        {
            return DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset time)
            ? time.ToUnixTimeMilliseconds()
            : ThrowHelper.Usage<long>("--effective must be an ISO 8601 time, e.g. 2026-11-25T08:00:00Z");
    }

}
