using Microsoft.Extensions.Logging;

namespace Sieve.Commands.PrivacyConsole;

/// <summary>The privacy console's log lines: subject types, handles, request ids and counts, never an identifier.</summary>
internal static partial class ConsoleLog
{
    [LoggerMessage(EventId = 6101, Level = LogLevel.Information, Message = "Privacy console serving {Url} (loopback only: {Loopback})")]
    public static partial void Started(ILogger logger, string url, bool loopback);

    [LoggerMessage(EventId = 6102, Level = LogLevel.Information, Message = "Privacy console stopped after {Lookups} lookups, {Erasures} erasure requests and {Withdrawals} withdrawals")]
    public static partial void Stopped(ILogger logger, long lookups, long erasures, long withdrawals);

    [LoggerMessage(EventId = 6103, Level = LogLevel.Information, Message = "Signed in")]
    public static partial void SignedIn(ILogger logger);

    [LoggerMessage(EventId = 6104, Level = LogLevel.Warning, Message = "Sign-in refused: wrong token")]
    public static partial void SignInRefused(ILogger logger);

    [LoggerMessage(EventId = 6105, Level = LogLevel.Information, Message = "Looked up a {SubjectType} subject as {Handle}")]
    public static partial void LookedUp(ILogger logger, string subjectType, string handle);

    [LoggerMessage(EventId = 6106, Level = LogLevel.Information, Message = "Erasure request {RequestId} published for a {SubjectType} subject")]
    public static partial void ErasureRequested(ILogger logger, string requestId, string subjectType);

    [LoggerMessage(EventId = 6107, Level = LogLevel.Information, Message = "Withdrawal of {Purpose} published for a {SubjectType} subject")]
    public static partial void Withdrawn(ILogger logger, string purpose, string subjectType);

    [LoggerMessage(EventId = 6108, Level = LogLevel.Warning, Message = "Page not available: {Problem}")]
    public static partial void Unavailable(ILogger logger, string problem);
}
