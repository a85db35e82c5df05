namespace Sieve.Core.Registry;

/// <summary>
/// A schema this service writes is not compatible with what its subject already holds, under the subject's
/// compatibility level. The service stops at start-up with this one line rather than write records no downstream
/// reader of the subject was promised.
/// </summary>
public sealed class SchemaRegistryMismatchException : Exception
{
    /// <summary>Creates the exception.</summary>
    public SchemaRegistryMismatchException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public SchemaRegistryMismatchException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public SchemaRegistryMismatchException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
