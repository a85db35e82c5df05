namespace Sieve.Simulation;

/// <summary>A simulated device or gateway was refused; <see cref="Exception.Message"/> is a reason code.</summary>
public sealed class LoadException : Exception
{
    /// <summary>Creates the exception with reason <paramref name="code"/>.</summary>
    public LoadException(string code)
        : base(code)
    {
    }

    /// <summary>Creates an exception with no reason.</summary>
    public LoadException()
    {
    }

    /// <summary>Creates the exception with reason <paramref name="code"/> and its cause.</summary>
    public LoadException(string code, Exception innerException)
        : base(code, innerException)
    {
    }
}
