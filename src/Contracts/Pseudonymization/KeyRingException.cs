namespace Sieve.Contracts.Pseudonymization;

/// <summary>
/// The master keys could not be loaded. The message names the keys file or environment variable, the entry and the
/// problem, and never contains secret material or any value read from the key source.
/// </summary>
public sealed class KeyRingException : Exception
{
    /// <summary>Creates the exception.</summary>
    public KeyRingException()
        : base("The master keys could not be loaded.")
    {
    }

    /// <summary>Creates the exception with a message that must not contain secrets.</summary>
    public KeyRingException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message that must not contain secrets, and its cause.</summary>
    public KeyRingException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
