using System.Diagnostics.CodeAnalysis;

namespace Sieve.Core.Consent;

/// <summary>Throws for the consent area, out of line so callers stay small. Messages never contain keys or identifiers.</summary>
internal static class ConsentThrowHelper
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
