using System.Diagnostics.CodeAnalysis;
using Sieve.Core.Consent;

namespace Sieve.Core;

/// <summary>Throws of the consent area. Messages never contain keys or identifiers.</summary>
internal static partial class ThrowHelper
{
    [DoesNotReturn]
    public static void ThrowInvalidConsentKey(string paramName) =>
        throw new ArgumentException($"Not a consent key: expected {ConsentKeys.Length} printable ASCII characters.", paramName);

    [DoesNotReturn]
    public static void ThrowPurposeIdOutOfRange(string paramName) =>
        throw new ArgumentOutOfRangeException(paramName, "Not the index of a declared purpose.");

    [DoesNotReturn]
    public static void ThrowTooManyPurposes(string paramName) =>
        throw new ArgumentException("More purpose entries than declared purposes.", paramName);

    [DoesNotReturn]
    public static void ThrowStoreUnavailable(string reason) => throw new ConsentUnavailableException(reason);
}
