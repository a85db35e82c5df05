namespace Sieve.Commands;

/// <summary>
/// A command cannot do what was asked. The message is the single line the user sees: what is wrong and how to fix
/// it. Messages name options, fields, files and codes; they never contain identifiers or secrets.
/// </summary>
internal sealed class CliException : Exception
{
    public CliException(int exitCode, string message)
        : base(message)
    {
        ExitCode = exitCode;
    }

    /// <summary><see cref="ExitCodes.Usage"/> or <see cref="ExitCodes.Failure"/>.</summary>
    public int ExitCode { get; }
}
