using System.Diagnostics.CodeAnalysis;
using Sieve.Core.Consent;
using StackExchange.Redis;

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

    [DoesNotReturn]
    public static void ThrowViewNotWhole(ConsentViewState state) => throw new ConsentUnavailableException(
        $"The consent view is not whole on the Redis server answering ({state}); purposes that need consent are held until a consent loader has verified or re-applied it from the consent topic.");

    [DoesNotReturn]
    public static RedisKey[] ThrowNoConsentTopic() => throw new InvalidOperationException(
        "This consent store was created without a consent topic (RedisConsentStoreOptions.ConsentTopic), so it keeps no view positions.");

    [DoesNotReturn]
    public static IConsentView ThrowViewOfOtherTopic() => throw new InvalidOperationException(
        "The consent store keeps the view of another topic than the one the consent loader reads (RedisConsentStoreOptions.ConsentTopic and ConsentLoaderOptions.Topic differ).");
}
