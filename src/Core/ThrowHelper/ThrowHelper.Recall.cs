using System.Diagnostics.CodeAnalysis;

namespace Sieve.Core;

internal static partial class ThrowHelper
{
    /// <summary>A sealer argument is malformed; the message never holds the value (it may be a VIN).</summary>
    [DoesNotReturn]
    public static void ThrowEscrowArgument(string name, string message) => throw new ArgumentException(message, name);
}
