namespace Sieve.Core.Consent;

/// <summary>
/// The consent store cannot answer now (down, unreachable, timing out). Callers fail closed: the minimizer pauses,
/// retries and resumes, forwarding nothing it cannot vouch for. The message names the failure kind only, never
/// a key; the underlying client exception is deliberately not attached because its text can name keys.
/// </summary>
public sealed class ConsentUnavailableException : Exception
{
    /// <summary>Creates the exception with the default message.</summary>
    public ConsentUnavailableException()
        : base("The consent store is unavailable.")
    {
    }

    /// <summary>Creates the exception; <paramref name="message"/> must not contain keys or identifiers.</summary>
    public ConsentUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception; <paramref name="message"/> must not contain keys or identifiers.</summary>
    public ConsentUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
