using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Sieve.Testing.EndToEnd;

/// <summary>
/// Collects every log line (message, structured values and exception text) of the loggers it makes. As a logger
/// provider it records a whole host's logs (every category), so a test can add it to the services it starts.
/// </summary>
internal sealed class LogRecorder : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly long _started = System.Diagnostics.Stopwatch.GetTimestamp();

    /// <summary>Every line so far.</summary>
    public IReadOnlyList<string> Lines => [.. _lines];

    public ILogger<T> For<T>() => new Recording<T>(this, typeof(T).Name);

    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) => new Recording<object>(this, categoryName);

    /// <summary>Nothing to release: the lines stay readable after the host that logged them is gone.</summary>
    public void Dispose()
    {
    }

    private void Add(string line) => _lines.Enqueue(line);

    private sealed class Recording<T>(LogRecorder recorder, string category) : ILogger<T>
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var line = new System.Text.StringBuilder();
            line.Append('+').Append((long)System.Diagnostics.Stopwatch.GetElapsedTime(recorder._started).TotalMilliseconds).Append("ms ").Append(logLevel).Append(' ').Append(category).Append(": ").Append(formatter(state, exception));

            // The structured values too: a sink that stores them separately must not receive an identifier either.
            if (state is IEnumerable<KeyValuePair<string, object?>> values)
            {
                foreach (KeyValuePair<string, object?> pair in values)
                {
                    line.Append(" | ").Append(pair.Key).Append('=').Append(pair.Value);
                }
            }

            if (exception is not null)
            {
                line.Append(" | ").Append(exception);
            }

            recorder.Add(line.ToString());
        }
    }
}
