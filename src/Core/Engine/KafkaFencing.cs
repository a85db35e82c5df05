using Confluent.Kafka;

namespace Sieve.Core.Engine;

/// <summary>Which Kafka errors mean that another producer with the same transactional id took over.</summary>
internal static class KafkaFencing
{
    /// <summary>True for the broker's <c>PRODUCER_FENCED</c> and librdkafka's local "fenced by a newer instance".</summary>
    public static bool IsFenced(Error error) => error.Code is ErrorCode.ProducerFenced or ErrorCode.Local_Fenced;
}
