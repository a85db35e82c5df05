using Microsoft.Extensions.Options;

namespace Sieve.Hosting.Configuration;

/// <summary>
/// A setting of a service is missing or wrong. The message is one line, <c>Key:Path: problem</c>: it names the key
/// and what is expected, never the configured value (some keys hold secrets and tokens).
/// </summary>
public sealed class SettingsException : Exception
{
    /// <summary>Creates the error for <paramref name="key"/>; <paramref name="problem"/> must not repeat the value.</summary>
    public SettingsException(string key, string problem)
        : base(OneLine(key + ": " + problem))
    {
        Key = key;
    }

    private SettingsException(string key, string message, Exception inner)
        : base(OneLine(message), inner)
    {
        Key = key;
    }

    /// <summary>The configuration key at fault, e.g. <c>Kafka:BootstrapServers</c>.</summary>
    public string Key { get; }

    /// <summary>
    /// The one translation of the options framework's validation errors (one, or several aggregated by the start-up
    /// validator) into a <see cref="SettingsException"/>; null when <paramref name="error"/> is not one.
    /// Every failure text is already <c>Key: problem</c>; several are joined with <c>; </c>.
    /// </summary>
    internal static SettingsException? From(Exception error)
    {
        var failures = new List<string>();
        if (error is OptionsValidationException single)
        {
            failures.AddRange(single.Failures);
        }
        else if (error is AggregateException aggregate && aggregate.InnerExceptions.Count > 0
            && aggregate.InnerExceptions.All(e => e is OptionsValidationException))
        {
            foreach (Exception inner in aggregate.InnerExceptions)
            {
                failures.AddRange(((OptionsValidationException)inner).Failures);
            }
        }
        else
        {
            return null;
        }

        failures = [.. failures.Distinct(StringComparer.Ordinal)];
        string first = failures.Count > 0 ? failures[0] : "settings: invalid.";
        int colon = first.IndexOf(": ", StringComparison.Ordinal);
        return new SettingsException(colon > 0 ? first[..colon] : first, string.Join("; ", failures), error);
    }

    private static string OneLine(string message) =>
        message.Contains('\n', StringComparison.Ordinal) || message.Contains('\r', StringComparison.Ordinal)
            ? message.ReplaceLineEndings(" ")
            : message;
}
