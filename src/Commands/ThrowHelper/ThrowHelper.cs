using System.Diagnostics.CodeAnalysis;

namespace Sieve.Commands;

/// <summary>
/// The throws of this assembly: <see cref="CliException"/>s, out of line, so command code reads as checks.
/// </summary>
internal static partial class ThrowHelper
{
    /// <summary>The command line or configuration is wrong (exit code 2).</summary>
    [DoesNotReturn]
    public static void Usage(string message) => throw new CliException(ExitCodes.Usage, message);

    /// <summary>As <see cref="Usage(string)"/>, usable where a value is expected.</summary>
    [DoesNotReturn]
    public static T Usage<T>(string message) => throw new CliException(ExitCodes.Usage, message);

    /// <summary>The command ran and failed (exit code 1).</summary>
    [DoesNotReturn]
    public static void Failure(string message) => throw new CliException(ExitCodes.Failure, message);

    /// <summary>As <see cref="Failure(string)"/>, usable where a value is expected.</summary>
    [DoesNotReturn]
    public static T Failure<T>(string message) => throw new CliException(ExitCodes.Failure, message);
}
