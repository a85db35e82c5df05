using System.Diagnostics.CodeAnalysis;

namespace Sieve.Core;

/// <summary>
/// The throws of this assembly, kept out of line so the callers (many on hot paths) stay small; split by area into
/// <c>ThrowHelper.*.cs</c>. Messages name parameters and limits only, never keys, identifiers or configured values.
/// </summary>
internal static partial class ThrowHelper
{
    [DoesNotReturn]
    public static void ThrowDestinationTooSmall(string paramName, int required) =>
        throw new ArgumentException($"The destination must hold at least {required} bytes.", paramName);
}
