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
using Spectre.Console.Cli;

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

    // The grant-only option, in the options list.
    private const string ExpiresLine =
        "\n  --expires TIME         when the grant lapses, ISO 8601 (default: no end of its own; the policy's"
        + "\n                         consentMaxAge for the purpose bounds every grant as well)";

    public static string Usage(bool granted)
    {
        string verb = granted ? "grant" : "withdraw";
        string what = granted ? "grants consent to" : "withdraws consent from";
        string indent = new(' ', "Usage: sieve consent ".Length + verb.Length + 1);
        return $"""
            Usage: sieve consent {verb} --type vin|phone|mac|device-id --id ID --purpose PURPOSE
            {indent}[--bootstrap HOST:PORT] [--effective ISO8601]{(granted ? " [--expires ISO8601]" : "")} [--minor] [--policy-version V]

            Publishes to {Topics.ConsentChanges} a ConsentChange saying the subject {what} PURPOSE, keyed by
            the subject's normalized identifier, and waits until the broker has it (acks=all, idempotent producer).
            The identifier is validated first; an invalid one is rejected with its reason code.

            Options:
              --type TYPE            vin, phone, mac or device-id (required)
              --id ID                the identifier in any usual spelling, normalized (required)
              --purpose PURPOSE      one of: {string.Join(", ", KnownPurposes.All)} (required)
              --bootstrap HOST:PORT  Kafka bootstrap servers (default {DefaultBootstrap})
              --effective TIME       when the decision takes effect, ISO 8601 (default: now){(granted ? ExpiresLine : "")}
              --minor                the subject is under 18
              --policy-version V     privacy-policy version the subject saw (default: the shipped policy's)
              --topic TOPIC          topic to publish to (default {Topics.ConsentChanges})
              --timeout SECONDS      how long to wait for the delivery report (default {DefaultTimeoutSeconds})
            {KafkaClientProperties.UsageLines}

            Example:
              sieve consent {verb} --type vin --id LSVAU218XN2183294 --purpose personalization --bootstrap localhost:9092
            """;
    }

}

/// <summary>
/// <c>sieve consent grant</c> (<see cref="ConsentGrantSettings"/>) or <c>sieve consent withdraw</c>
/// (<see cref="ConsentWithdrawSettings"/>).
/// </summary>
internal sealed class ConsentChangeCommand<TSettings>(CliSession session) : SieveCommand<TSettings>(session)
    where TSettings : ConsentChangeSettings
{
    protected override async Task<int> RunAsync(TSettings settings, CancellationToken cancellationToken)
    {
        bool granted = settings.Granted;
        SubjectType type = settings.SubjectType;
        string purpose = settings.Purpose!;
        string normalizedId = settings.NormalizedId;
        long effective = settings.EffectiveMillis ?? DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        string policyVersion = settings.PolicyVersion ?? PolicyLoader.LoadDefault().PolicyVersion;
        if (string.IsNullOrWhiteSpace(policyVersion))
        {
            ThrowHelper.Usage("--policy-version must not be empty");
        }

        string bootstrap = settings.Bootstrap;
        string topic = settings.Topic;
        int timeoutSeconds = settings.TimeoutSeconds;
        bool minor = settings.Minor;

        var change = new ConsentChangeData
        {
            SubjectType = type,
            SubjectId = normalizedId,
            Purpose = purpose,
            Granted = granted,
            EffectiveTime = effective,
            PolicyVersion = policyVersion,
            Minor = minor,
            ExpiresAt = settings.ExpiresMillis,
        };

        DeliveryResult<byte[], byte[]> delivered = await KafkaPublish.PublishAsync(bootstrap, KafkaClientProperties.From(settings), topic, timeoutSeconds,
            new Message<byte[], byte[]> { Key = change.MessageKey(), Value = change.ToMessage() }, cancellationToken).ConfigureAwait(false);

        string decision = granted ? "grant" : "withdrawal";
        string expires = change.ExpiresAt is { } end ? ", expires " + ExplainValues.Time(end) : "";
        PlainText.WriteLine(Console, string.Create(CultureInfo.InvariantCulture,
            $"published {decision} of '{purpose}' for a {SubjectTypeNames.NameOf(type)} subject{(minor ? " (minor)" : "")}, effective {ExplainValues.Time(effective)}{expires}: {delivered.Topic} partition {delivered.Partition.Value} offset {delivered.Offset.Value}"));
        return ExitCodes.Ok;
    }
}

/// <summary>The options of <c>sieve consent grant</c> and <c>sieve consent withdraw</c>.</summary>
internal abstract class ConsentChangeSettings : KafkaSubjectSettings
{
    /// <summary>True for a grant, false for a withdrawal.</summary>
    public abstract bool Granted { get; }

    /// <summary><c>--purpose</c>.</summary>
    [CommandOption("--purpose <PURPOSE>")]
    public string? Purpose { get; init; }

    /// <summary><c>--bootstrap</c>.</summary>
    [CommandOption("--bootstrap <HOST:PORT>")]
    public string Bootstrap { get; init; } = ConsentChangeCommand.DefaultBootstrap;

    /// <summary><c>--effective</c>, as given.</summary>
    [CommandOption("--effective <TIME>")]
    public string? Effective { get; init; }

    /// <summary><c>--minor</c>.</summary>
    [CommandOption("--minor")]
    public bool Minor { get; init; }

    /// <summary><c>--policy-version</c>; null for the shipped policy's.</summary>
    [CommandOption("--policy-version <V>")]
    public string? PolicyVersion { get; init; }

    /// <summary><c>--topic</c>.</summary>
    [CommandOption("--topic <TOPIC>")]
    public string Topic { get; init; } = Topics.ConsentChanges;

    /// <summary><c>--timeout</c>, as given.</summary>
    [CommandOption("--timeout <SECONDS>")]
    public string? Timeout { get; init; }

    /// <summary>When the decision takes effect, once validated; null for now.</summary>
    public long? EffectiveMillis { get; private set; }

    /// <summary>When a grant lapses, once validated; null for no end of its own (always null for a withdrawal).</summary>
    public long? ExpiresMillis { get; protected set; }

    /// <summary>Seconds to wait for the delivery report, once validated.</summary>
    public int TimeoutSeconds { get; private set; }

    public override ValidationResult Validate()
    {
        // The purpose is checked between the subject's type and its id.
        ValidationResult result = ValidateSubjectType();
        if (!result.Successful)
        {
            return result;
        }

        if (string.IsNullOrWhiteSpace(Purpose))
        {
            return Required("--purpose", "PURPOSE");
        }

        if (KnownPurposes.IndexOf(Purpose) < 0)
        {
            return ValidationResult.Error($"--purpose must be one of {string.Join(", ", KnownPurposes.All)}");
        }

        result = ValidateSubjectId();
        if (!result.Successful)
        {
            return result;
        }

        if (Effective is not null)
        {
            if (!DateTimeOffset.TryParse(Effective, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset time))
            {
                return ValidationResult.Error("--effective must be an ISO 8601 time, e.g. 2026-11-25T08:00:00Z");
            }

            EffectiveMillis = time.ToUnixTimeMilliseconds();
        }

        if (PolicyVersion is not null && string.IsNullOrWhiteSpace(PolicyVersion))
        {
            return ValidationResult.Error("--policy-version must not be empty");
        }

        result = ValidateExpiry();
        if (!result.Successful)
        {
            return result;
        }

        result = CheckTimeout(Timeout, ConsentChangeCommand.DefaultTimeoutSeconds, out int seconds);
        TimeoutSeconds = seconds;
        return result;
    }

    /// <summary>Checks the grant-only <c>--expires</c>; a withdrawal has nothing to check.</summary>
    protected virtual ValidationResult ValidateExpiry() => ValidationResult.Success();
}

/// <summary>The options of <c>sieve consent grant</c>.</summary>
internal sealed class ConsentGrantSettings : ConsentChangeSettings
{
    public override bool Granted => true;

    /// <summary><c>--expires</c>, as given.</summary>
    [CommandOption("--expires <TIME>")]
    public string? Expires { get; init; }

    protected override ValidationResult ValidateExpiry()
    {
        if (Expires is null)
        {
            return ValidationResult.Success();
        }

        if (!DateTimeOffset.TryParse(Expires, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset time))
        {
            return ValidationResult.Error("--expires must be an ISO 8601 time, e.g. 2027-11-25T08:00:00Z");
        }

        long expires = time.ToUnixTimeMilliseconds();
        if (expires <= (EffectiveMillis ?? DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()))
        {
            return ValidationResult.Error("--expires must be after the grant takes effect (--effective, or now); to end a grant now, use 'sieve consent withdraw'");
        }

        ExpiresMillis = expires;
        return ValidationResult.Success();
    }

    protected override string CommandName => ConsentChangeCommand.GrantName;
}

/// <summary>The options of <c>sieve consent withdraw</c>.</summary>
internal sealed class ConsentWithdrawSettings : ConsentChangeSettings
{
    public override bool Granted => false;

    protected override string CommandName => ConsentChangeCommand.WithdrawName;
}
