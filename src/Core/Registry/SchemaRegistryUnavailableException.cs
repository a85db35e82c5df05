namespace Sieve.Core.Registry;

/// <summary>
/// The Schema Registry cannot answer now (down, unreachable, timing out, refusing). A reader that needs a schema it
/// has not seen pauses, retries and resumes; it never quarantines a record because its schema could not be fetched.
/// </summary>
public sealed class SchemaRegistryUnavailableException : Exception
{
    /// <summary>Creates the exception with the default message.</summary>
    public SchemaRegistryUnavailableException()
        : base("The schema registry is unavailable.")
    {
    }

    /// <summary>Creates the exception.</summary>
    public SchemaRegistryUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public SchemaRegistryUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
