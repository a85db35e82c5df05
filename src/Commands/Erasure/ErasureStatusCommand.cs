using System.Globalization;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using Sieve.Commands.Policy;
using Sieve.Contracts;
using Sieve.Contracts.Identifiers;
using Sieve.Core.Erasure;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Sieve.Commands.Erasure;

/// <summary>
/// <c>sieve erasure status [REQUEST_ID]</c>: the erasure evidence a privacy officer reads, from the receipts on
/// <c>erasure.receipts.v1</c>, with <c>--pending</c> joined with the requests on <c>erasure.requests.v1</c> (<see cref="ErasureLedger"/>):
/// per request its id, the subject's type (never the identifier), state, times and rows removed per purpose.
/// </summary>
internal sealed class ErasureStatusCommand(CliSession session) : SieveCommand<ErasureStatusSettings>(session)
{
    public const string Name = "erasure status";

    public const string Summary = "show erasure requests and their receipts (rows removed per purpose, times, state)";

    public const string DefaultBootstrap = "localhost:9092";

    public const int DefaultTimeoutSeconds = 60;

    public static string Usage => $"""
        Usage: sieve erasure status [REQUEST_ID] [--bootstrap HOST:PORT] [--pending] [--json]

        Reads every receipt on {Topics.ErasureReceipts} (to its end as of now) and prints, per request: its id,
        the subject's type (never the identifier), the reason, the state (completed, or rejected with the
        reason code), when it was requested, when the subject was marked erased and when it completed, the
        time to completion, and the lake rows removed per purpose. With --pending, also reads
        {Topics.ErasureRequests} for the requests that have no receipt yet (state pending); that topic carries
        identifiers (raw zone), so it needs READ there, and the identifiers are dropped as they are read.
        Without REQUEST_ID every request is listed, oldest first; with it, that one (exit code 1 when
        there is no such request). One line per request, never wrapped. Receipts written before receipts
        recorded the subject type show it as "unknown" (with --pending, taken from the request while it is kept).

        Options:
          REQUEST_ID               the request id ('sieve erasure request' prints it; minor-P-O for a minor)
          --bootstrap HOST:PORT    Kafka bootstrap servers (default {DefaultBootstrap})
          --pending                also list requests without a receipt yet, from {Topics.ErasureRequests}
          --receipts-topic TOPIC   the receipts (default {Topics.ErasureReceipts})
          --requests-topic TOPIC   the requests, with --pending (default {Topics.ErasureRequests})
          --json                   one JSON object instead of text
          --timeout SECONDS        how long reading each topic to its end may take (default {DefaultTimeoutSeconds})
        {KafkaClientProperties.UsageLines}

        Example:
          sieve erasure status req-7f3a9c41 --bootstrap localhost:9092
        """;

    protected override async Task<int> RunAsync(ErasureStatusSettings settings, CancellationToken cancellationToken)
    {
        var config = new ConsumerConfig { BootstrapServers = settings.Bootstrap };
        KafkaClientProperties.From(settings).ApplyTo(config);
        IReadOnlyList<ErasureStatusEntry> entries;
        int undecodable;
        try
        {
            (entries, undecodable) = await Task.Run(() => ErasureLedger.Read(config, settings.ReceiptsTopic, settings.Pending ? settings.RequestsTopic : null,
                TimeSpan.FromSeconds(settings.TimeoutSeconds), cancellationToken), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is KafkaException or TimeoutException)
        {
            return ThrowHelper.Failure<int>($"cannot read {Read(settings)} via {settings.Bootstrap} ({e.GetType().Name}); check the broker and --bootstrap");
        }

        if (settings.RequestId is { } wanted)
        {
            entries = [.. entries.Where(e => string.Equals(e.RequestId, wanted, StringComparison.Ordinal))];
            if (entries.Count == 0)
            {
                return ThrowHelper.Failure<int>($"no erasure request with that id on {Read(settings)}" + (settings.Pending ? "" : "; a request without a receipt yet shows with --pending"));
            }
        }

        if (settings.Json)
        {
            PlainText.WriteLine(Console, ToJson(entries, undecodable));
            return ExitCodes.Ok;
        }

        if (entries.Count == 0)
        {
            PlainText.WriteLine(Console, $"no erasure requests on {Read(settings)}");
        }

        foreach (ErasureStatusEntry entry in entries)
        {
            PlainText.WriteLine(Console, Line(entry));
        }

        if (undecodable > 0)
        {
            PlainText.WriteLine(Console, string.Create(CultureInfo.InvariantCulture, $"{undecodable} message(s) on {settings.ReceiptsTopic} could not be read as receipts"));
        }

        return ExitCodes.Ok;
    }

    private static string Read(ErasureStatusSettings settings) =>
        settings.Pending ? settings.ReceiptsTopic + " or " + settings.RequestsTopic : settings.ReceiptsTopic;

    /// <summary>One request on one line: id, subject type, reason, state, times, rows removed per purpose.</summary>
    internal static string Line(ErasureStatusEntry entry)
    {
        var line = new StringBuilder();
        line.Append(entry.RequestId).Append(": ").Append(StateName(entry.State));
        if (entry.State == ErasureState.Rejected)
        {
            line.Append(" (").Append(entry.Detail).Append(')');
        }

        line.Append("; subject type ").Append(TypeName(entry.SubjectType)).Append("; reason ").Append(ReasonName(entry.Reason))
            .Append("; requested ").Append(ExplainValues.Time(entry.RequestedAt));
        if (entry.MarkedAt is { } marked)
        {
            line.Append("; marked erased ").Append(ExplainValues.Time(marked));
        }

        if (entry.CompletedAt is { } completed)
        {
            line.Append("; completed ").Append(ExplainValues.Time(completed)).Append(" (").Append(Duration(entry.TimeToCompletion!.Value)).Append(" after the request)");
        }

        if (entry.Purposes.Count > 0)
        {
            line.Append("; rows removed: ");
            for (int i = 0; i < entry.Purposes.Count; i++)
            {
                PurposeErasure p = entry.Purposes[i];
                line.Append(i == 0 ? "" : ", ").Append(p.Purpose).Append(' ').Append(p.RowsRemoved.ToString(CultureInfo.InvariantCulture));
            }

            line.Append(" (").Append(entry.Purposes.Sum(p => p.RowsRemoved).ToString(CultureInfo.InvariantCulture)).Append(" in all)");
        }

        return line.ToString();
    }

    private static string ToJson(IReadOnlyList<ErasureStatusEntry> entries, int undecodable)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteStartArray("requests");
            foreach (ErasureStatusEntry e in entries)
            {
                json.WriteStartObject();
                json.WriteString("requestId", e.RequestId);
                json.WriteString("subjectType", TypeName(e.SubjectType));
                json.WriteString("reason", ReasonName(e.Reason));
                json.WriteString("state", StateName(e.State));
                json.WriteString("detail", e.Detail);
                json.WriteString("requestedAt", ExplainValues.Time(e.RequestedAt));
                ExplainValues.WriteTime(json, "markedAt", e.MarkedAt);
                ExplainValues.WriteTime(json, "completedAt", e.CompletedAt);
                if (e.TimeToCompletion is { } elapsed)
                {
                    json.WriteNumber("timeToCompletionMs", (long)elapsed.TotalMilliseconds);
                }
                else
                {
                    json.WriteNull("timeToCompletionMs");
                }

                json.WriteStartArray("purposes");
                foreach (PurposeErasure p in e.Purposes)
                {
                    json.WriteStartObject();
                    json.WriteString("purpose", p.Purpose);
                    json.WriteNumber("rowsRemoved", p.RowsRemoved);
                    json.WriteNumber("filesRewritten", p.FilesRewritten);
                    json.WriteNumber("pseudonymsNoticed", p.Pseudonyms);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteNumber("unreadableReceipts", undecodable);
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>A time to completion as the erasure evidence shows it: ms under 10 s, then s, then h.</summary>
    internal static string Duration(TimeSpan elapsed) => elapsed.TotalSeconds < 10
        ? ((long)elapsed.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) + " ms"
        : elapsed.TotalHours < 1
            ? elapsed.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture) + " s"
            : elapsed.TotalHours.ToString("0.#", CultureInfo.InvariantCulture) + " h";

    private static string TypeName(SubjectType? type) => type is { } t ? SubjectTypeNames.NameOf(t) : "unknown";

    /// <summary>A request's state as the erasure evidence spells it.</summary>
    internal static string StateName(ErasureState state) => state switch
    {
        ErasureState.Completed => "completed",
        ErasureState.Rejected => "rejected",
        _ => "pending",
    };

    /// <summary>The reason as the command line spells it (<c>--reason</c> of <c>sieve erasure request</c>).</summary>
    internal static string ReasonName(ErasureReason reason) => reason switch
    {
        ErasureReason.Minor => "minor",
        ErasureReason.Other => "other",
        _ => "user-request",
    };
}

/// <summary>The options of <c>sieve erasure status</c>.</summary>
internal sealed class ErasureStatusSettings : KafkaClientSettings
{
    /// <summary>The request to show; null for all.</summary>
    [CommandArgument(0, "[REQUEST_ID]")]
    public string? RequestId { get; init; }

    /// <summary><c>--bootstrap</c>.</summary>
    [CommandOption("--bootstrap <HOST:PORT>")]
    public string Bootstrap { get; init; } = ErasureStatusCommand.DefaultBootstrap;

    /// <summary><c>--receipts-topic</c>.</summary>
    [CommandOption("--receipts-topic <TOPIC>")]
    public string ReceiptsTopic { get; init; } = Topics.ErasureReceipts;

    /// <summary><c>--requests-topic</c>.</summary>
    [CommandOption("--requests-topic <TOPIC>")]
    public string RequestsTopic { get; init; } = Topics.ErasureRequests;

    /// <summary><c>--json</c>.</summary>
    [CommandOption("--json")]
    public bool Json { get; init; }

    /// <summary><c>--pending</c>: also read the requests topic for requests without a receipt.</summary>
    [CommandOption("--pending")]
    public bool Pending { get; init; }

    /// <summary><c>--timeout</c>, as given.</summary>
    [CommandOption("--timeout <SECONDS>")]
    public string? Timeout { get; init; }

    /// <summary>Seconds reading each topic may take, once validated.</summary>
    public int TimeoutSeconds { get; private set; }

    protected override string CommandName => ErasureStatusCommand.Name;

    public override ValidationResult Validate()
    {
        if (RequestId is not null && (RequestId.Length is 0 or > ErasureRequestId.MaxLength || !RequestId.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-')))
        {
            return ValidationResult.Error($"REQUEST_ID must be 1 to {ErasureRequestId.MaxLength} characters of A-Z, a-z, 0-9, '.', '_' and '-'");
        }

        ValidationResult result = CheckTimeout(Timeout, ErasureStatusCommand.DefaultTimeoutSeconds, out int seconds);
        TimeoutSeconds = seconds;
        return result;
    }
}
