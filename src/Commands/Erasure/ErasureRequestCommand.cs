using System.Globalization;
using System.Text;
using Confluent.Kafka;
using Sieve.Commands.Consent;
using Sieve.Commands.Policy;
using Sieve.Contracts;
using Sieve.Contracts.Identifiers;
using Sieve.Core.Erasure;
using Spectre.Console;

namespace Sieve.Commands.Erasure;

/// <summary>
/// <c>sieve erasure request</c>: publishes one ErasureRequest to <c>erasure.requests.v1</c>, keyed by its request id
/// (never the identifier, which is only in the value), with an idempotent acks=all producer, and waits for the
/// delivery report. The identifier is validated before anything is sent.
/// </summary>
internal static class ErasureRequestCommand
{
    public const string Name = "erasure request";

    public const string Summary = "publish a subject erasure request to erasure.requests.v1";

    public const string DefaultBootstrap = "localhost:9092";

    public const int DefaultTimeoutSeconds = 15;

    public static IReadOnlyList<OptionSpec> Options { get; } =
    [
        OptionSpec.Value("--type"),
        OptionSpec.Value("--id"),
        OptionSpec.Value("--reason"),
        OptionSpec.Value("--request-id"),
        OptionSpec.Value("--bootstrap"),
        OptionSpec.Value("--topic"),
        OptionSpec.Value("--timeout"),
        .. KafkaClientProperties.Options,
    ];

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
          --type TYPE            vin, phone, mac or device-id
          --id ID                the identifier, in any usual spelling (it is normalized)
          --reason REASON        user-request (default), minor or other
          --request-id ID        the id receipts quote, 1 to {ErasureRequestId.MaxLength} of A-Z a-z 0-9 . _ - (default: generated)
                                 (default: a new random id, printed)
          --bootstrap HOST:PORT  Kafka bootstrap servers (default {DefaultBootstrap})
          --topic TOPIC          topic to publish to (default {Topics.ErasureRequests})
          --timeout SECONDS      how long to wait for the delivery report (default {DefaultTimeoutSeconds})
        {KafkaClientProperties.UsageLines}

        Example:
          sieve erasure request --type vin --id LSVAU218XN2183294 --reason user-request --bootstrap localhost:9092
        """;

    public static async Task<int> RunAsync(CommandArguments args, IAnsiConsole console, CancellationToken cancellationToken)
    {
        args.ExpectPositionals(0, 0, "");
        SubjectType type = SubjectArguments.Type(args);
        string normalizedId = SubjectArguments.NormalizedId(args, type);
        ErasureReason reason = ParseReason(args.Value("--reason"));
        string requestId = ParseRequestId(args.Value("--request-id"), type, normalizedId);
        string bootstrap = args.Value("--bootstrap", DefaultBootstrap);
        string topic = args.Value("--topic", Topics.ErasureRequests);
        int timeoutSeconds = KafkaPublish.ParseTimeout(args.Value("--timeout"), DefaultTimeoutSeconds);
        DateTimeOffset requestedAt = DateTimeOffset.UtcNow;

        var request = new ErasureRequest(type, normalizedId, requestId, reason, requestedAt);
        var message = new Message<byte[], byte[]> { Key = Encoding.UTF8.GetBytes(requestId), Value = ErasureCodec.EncodeRequest(request) };
        DeliveryResult<byte[], byte[]> delivered = await KafkaPublish.PublishAsync(bootstrap, KafkaClientProperties.From(args), topic, timeoutSeconds, message, cancellationToken).ConfigureAwait(false);

        PlainText.WriteLine(console, string.Create(CultureInfo.InvariantCulture,
            $"published erasure request {requestId} ({ReasonName(reason)}) for a {SubjectTypeNames.NameOf(type)} subject at {ExplainValues.Time(requestedAt.ToUnixTimeMilliseconds())}: {delivered.Topic} partition {delivered.Partition.Value} offset {delivered.Offset.Value}"));
        return ExitCodes.Ok;
    }

    private static ErasureReason ParseReason(string? text) => text switch
    {
        null or "user-request" => ErasureReason.UserRequest,
        "minor" => ErasureReason.Minor,
        "other" => ErasureReason.Other,
        _ => ThrowHelper.Usage<ErasureReason>("--reason must be one of user-request, minor, other"),
    };

    private static string ReasonName(ErasureReason reason) => reason switch
    {
        ErasureReason.Minor => "minor",
        ErasureReason.Other => "other",
        _ => "user-request",
    };

    private static string ParseRequestId(string? text, SubjectType type, string normalizedId)
    {
        if (text is null)
        {
            return "er-" + Guid.NewGuid().ToString("N");
        }

        // Receipts and logs quote the request id, so it must be one short token that is no identifier.
        switch (ErasureRequestId.Problem(text, type, normalizedId))
        {
            case ErasureRequestId.InvalidCode:
                ThrowHelper.Usage($"--request-id must be 1 to {ErasureRequestId.MaxLength} characters of A-Z, a-z, 0-9, '.', '_' and '-', not starting with '{ErasureRequestId.ReservedPrefix}'");
                break;
            case ErasureRequestId.IdentifierCode:
                ThrowHelper.Usage("--request-id must not be an identifier (a VIN, phone number, MAC address, IMEI or the subject's own id); use a ticket number or leave it out for a generated one");
                break;
        }

        return text;
    }


}
