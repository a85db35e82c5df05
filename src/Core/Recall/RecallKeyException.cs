namespace Sieve.Core.Recall;

/// <summary>
/// The recall key could not be loaded. The message names the file and the problem, never a value read from it.
/// </summary>
public sealed class RecallKeyException : Exception
{
    /// <summary>Creates the exception.</summary>
    public RecallKeyException()
        : base("The recall key could not be loaded.")
    {
    }

    /// <summary>Creates the exception with a message that must not contain secrets.</summary>
    public RecallKeyException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message that must not contain secrets, and its cause.</summary>
    public RecallKeyException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
