namespace Sieve.Commands;

/// <summary>The exit codes of the <c>sieve</c> command.</summary>
public static class ExitCodes
{
    /// <summary>Done as asked.</summary>
    public const int Ok = 0;

    /// <summary>The command ran but failed: invalid policy, broker or store unreachable, file not writable.</summary>
    public const int Failure = 1;

    /// <summary>The command line or configuration is wrong: unknown option, missing value, invalid identifier, bad keys file.</summary>
    public const int Usage = 2;

    /// <summary>Interrupted with Ctrl+C (128 + SIGINT, as shells report it).</summary>
    public const int Interrupted = 130;
}
