using System.Diagnostics.CodeAnalysis;

namespace Sieve.Core;

/// <summary>Throws of the gateway code. Messages stay free of values.</summary>
internal static partial class ThrowHelper
{
    [DoesNotReturn]
    public static T ThrowNotConfigured<T>(string what) =>
        throw new InvalidOperationException(what + " is not configured.");
}
