using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Sieve.Tests.EndToEnd;

/// <summary>Collects every log line (message, structured values and exception text) of the loggers it makes.</summary>
internal sealed class LogRecorder
{
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly long _started = System.Diagnostics.Stopwatch.GetTimestamp();

    /// <summary>Every line so far.</summary>
    public IReadOnlyList<string> Lines => [.. _lines];

    public ILogger<T> For<T>() => new Recording<T>(this);

    private void Add(string line) => _lines.Enqueue(line);

    private sealed class Recording<T>(LogRecorder recorder) : ILogger<T>
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var line = new System.Text.StringBuilder();
            line.Append('+').Append((long)System.Diagnostics.Stopwatch.GetElapsedTime(recorder._started).TotalMilliseconds).Append("ms ").Append(logLevel).Append(' ').Append(typeof(T).Name).Append(": ").Append(formatter(state, exception));

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
