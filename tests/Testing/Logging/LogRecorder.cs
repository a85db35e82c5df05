using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Sieve.Testing.Logging;

/// <summary>
/// The tests' log capture: a <see cref="FakeLogCollector"/> with a provider over it, so a test can add it to a whole
/// host (every category) or hand its typed loggers to components it builds itself. <see cref="Lines"/> renders each
/// record with its level, category, event id, message, structured values and exception text, so that a scan for raw
/// identifiers also covers what a structured log sink would store separately.
/// </summary>
internal sealed class LogRecorder : ILoggerProvider
{
    private readonly FakeLoggerProvider _provider;

    public LogRecorder()
    {
        Collector = new FakeLogCollector();
        _provider = new FakeLoggerProvider(Collector);
    }

    /// <summary>The records themselves.</summary>
    public FakeLogCollector Collector { get; }

    /// <summary>Every record so far, one line each: <c>Level Category[EventId] Message | key=value … | exception</c>.</summary>
    public IReadOnlyList<string> Lines
    {
        get
        {
            IReadOnlyList<FakeLogRecord> records = Collector.GetSnapshot();
            var lines = new string[records.Count];
            for (int i = 0; i < records.Count; i++)
            {
                lines[i] = Format(records[i]);
            }

            return lines;
        }
    }

    /// <summary>Every line so far, joined by newlines.</summary>
    public string All => string.Join('\n', Lines);

    /// <summary>A logger for a component built by hand, recording into this recorder.</summary>
    public ILogger<T> For<T>() => new FakeLogger<T>(Collector);

    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) => _provider.CreateLogger(categoryName);

    /// <summary>Nothing to release: the records stay readable after the host that logged them is gone.</summary>
    public void Dispose()
    {
    }

    private static string Format(FakeLogRecord record)
    {
        var line = new StringBuilder();
        line.Append(record.Level).Append(' ').Append(record.Category).Append('[').Append(record.Id.Id).Append("] ").Append(record.Message);
        if (record.StructuredState is { } values)
        {
            foreach (KeyValuePair<string, string?> pair in values)
            {
                line.Append(" | ").Append(pair.Key).Append('=').Append(pair.Value);
            }
        }

        if (record.Exception is not null)
        {
            line.Append(" | ").Append(record.Exception);
        }

        return line.ToString();
    }
}
