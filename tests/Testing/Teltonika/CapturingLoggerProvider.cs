using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Sieve.Testing.Teltonika;

/// <summary>Keeps every formatted log message (and exception text) a host writes, to check that no identifier is in them.</summary>
internal sealed class CapturingLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyCollection<string> Lines => _lines;

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner._lines.Enqueue(logLevel + " " + category + " " + formatter(state, exception) + (exception is null ? string.Empty : " " + exception));
    }
}
