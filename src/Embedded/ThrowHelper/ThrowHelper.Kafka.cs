using System.Diagnostics.CodeAnalysis;
using Confluent.Kafka;

namespace Sieve.Embedded;

/// <summary>Throws of the mock Kafka cluster.</summary>
internal static partial class ThrowHelper
{
    [DoesNotReturn]
    internal static void ThrowInvalidOperation(string message) => throw new InvalidOperationException(message);

    [DoesNotReturn]
    internal static void ThrowKafka(ErrorCode code, string operation) =>
        throw new KafkaException(new Error(code, $"mock cluster: {operation} failed: {code}"));

    [DoesNotReturn]
    internal static void ThrowDisposed() => throw new ObjectDisposedException(nameof(MockKafkaCluster));
}
