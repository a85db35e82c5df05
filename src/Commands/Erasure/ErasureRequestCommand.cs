using System.Globalization;
using System.Text;
using Confluent.Kafka;
using Sieve.Commands.Consent;
using Sieve.Commands.Policy;
using Sieve.Contracts;
using Sieve.Contracts.Identifiers;
using Sieve.Core.Erasure;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Sieve.Commands.Erasure;

/// <summary>
/// <c>sieve erasure request</c>: publishes one ErasureRequest to <c>erasure.requests.v1</c>, keyed by its request id
/// (never the identifier, which is only in the value), with an idempotent acks=all producer, and waits for the
/// delivery report. The identifier is validated before anything is sent.
/// </summary>
internal sealed class ErasureRequestCommand(CliSession session) : SieveCommand<ErasureRequestSettings>(session)
{
    public const string Name = "erasure request";

    public const string Summary = "publish a subject erasure request to erasure.requests.v1";

    public const string DefaultBootstrap = "localhost:9092";

    public const int DefaultTimeoutSeconds = 15;

    public static string Usage => $"""
        Usage: sieve erasure request --type vin|phone|mac|device-id --id ID [--reason user-request|minor|other]
                                     [--request-id ID] [--bootstrap HOST:PORT]

        Publishes to {Topics.ErasureRequests} an ErasureRequest for the subject, keyed by the request id, and
        waits until the broker has it (acks=all, idempotent producer). The Sink's erasure worker
        then marks the subject erased, publishes a notice per purpose pseudonym to {Topics.ErasureNotices},
        removes the subject's rows from the lake and writes a receipt to {Topics.ErasureReceipts} quoting the
        request id. The identifier is validated first; an invalid one is rejected with its reason code and
        nothing is published. The identifier is never printed.

        Options:
          --type TYPE            vin, phone, mac or device-id (required)
          --id ID                the identifier in any usual spelling, normalized (required)
          --reason REASON        user-request (default), minor or other
          --request-id ID        the id receipts quote, 1 to {ErasureRequestId.MaxLength} of A-Z a-z 0-9 . _ - 
                                 (default: a new random id, printed)
          --bootstrap HOST:PORT  Kafka bootstrap servers (default {DefaultBootstrap})
          --topic TOPIC          topic to publish to (default {Topics.ErasureRequests})
          --timeout SECONDS      how long to wait for the delivery report (default {DefaultTimeoutSeconds})
        {KafkaClientProperties.UsageLines}

        Example:
          sieve erasure request --type vin --id LSVAU218XN2183294 --reason user-request --bootstrap localhost:9092
        """;

    protected override async Task<int> RunAsync(ErasureRequestSettings settings, CancellationToken cancellationToken)
    {
        SubjectType type = settings.SubjectType;
        ErasureReason reason = settings.ErasureReason;
        string requestId = settings.RequestId ?? ErasureRequestId.New();
        string bootstrap = settings.Bootstrap;
        string topic = settings.Topic;
        int timeoutSeconds = settings.TimeoutSeconds;
        DateTimeOffset requestedAt = DateTimeOffset.UtcNow;

        var request = new ErasureRequest(type, settings.NormalizedId, requestId, reason, requestedAt);
        var message = new Message<byte[], byte[]> { Key = Encoding.UTF8.GetBytes(requestId), Value = ErasureCodec.EncodeRequest(request) };
        DeliveryResult<byte[], byte[]> delivered = await KafkaPublish.PublishAsync(bootstrap, KafkaClientProperties.From(settings), topic, timeoutSeconds, message, cancellationToken).ConfigureAwait(false);

        PlainText.WriteLine(Console, string.Create(CultureInfo.InvariantCulture,
            $"published erasure request {requestId} ({ErasureStatusCommand.ReasonName(reason)}) for a {SubjectTypeNames.NameOf(type)} subject at {ExplainValues.Time(requestedAt.ToUnixTimeMilliseconds())}: {delivered.Topic} partition {delivered.Partition.Value} offset {delivered.Offset.Value}"));
        return ExitCodes.Ok;
    }

}

/// <summary>The options of <c>sieve erasure request</c>.</summary>
internal sealed class ErasureRequestSettings : KafkaSubjectSettings
{
    /// <summary><c>--reason</c>.</summary>
    [CommandOption("--reason <REASON>")]
    public string? Reason { get; init; }

    /// <summary><c>--request-id</c>; null for a generated one.</summary>
    [CommandOption("--request-id <ID>")]
    public string? RequestId { get; init; }

    /// <summary><c>--bootstrap</c>.</summary>
    [CommandOption("--bootstrap <HOST:PORT>")]
    public string Bootstrap { get; init; } = ErasureRequestCommand.DefaultBootstrap;

    /// <summary><c>--topic</c>.</summary>
    [CommandOption("--topic <TOPIC>")]
    public string Topic { get; init; } = Topics.ErasureRequests;

    /// <summary><c>--timeout</c>, as given.</summary>
    [CommandOption("--timeout <SECONDS>")]
    public string? Timeout { get; init; }

    /// <summary>The reason, once validated.</summary>
    public ErasureReason ErasureReason { get; private set; }

    /// <summary>Seconds to wait for the delivery report, once validated.</summary>
    public int TimeoutSeconds { get; private set; }

    protected override string CommandName => ErasureRequestCommand.Name;

    public override ValidationResult Validate()
    {
        ValidationResult result = ValidateSubject();
        if (!result.Successful)
        {
            return result;
        }

        switch (Reason)
        {
            case null or "user-request":
                ErasureReason = ErasureReason.UserRequest;
                break;
            case "minor":
                ErasureReason = ErasureReason.Minor;
                break;
            case "other":
                ErasureReason = ErasureReason.Other;
                break;
            default:
                return ValidationResult.Error("--reason must be one of user-request, minor, other");
        }

        if (RequestId is not null)
        {
            // Receipts and logs quote the request id, so it must be one short token that is no identifier.
            switch (ErasureRequestId.Problem(RequestId, SubjectType, NormalizedId))
            {
                case ErasureRequestId.InvalidCode:
                    return ValidationResult.Error($"--request-id must be 1 to {ErasureRequestId.MaxLength} characters of A-Z, a-z, 0-9, '.', '_' and '-', not starting with '{ErasureRequestId.ReservedPrefix}'");
                case ErasureRequestId.IdentifierCode:
                    return ValidationResult.Error("--request-id must not be an identifier (a VIN, phone number, MAC address, IMEI or the subject's own id); use a ticket number or leave it out for a generated one");
            }
        }

        result = CheckTimeout(Timeout, ErasureRequestCommand.DefaultTimeoutSeconds, out int seconds);
        TimeoutSeconds = seconds;
        return result;
    }
}
