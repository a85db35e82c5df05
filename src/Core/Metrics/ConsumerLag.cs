using System.Diagnostics.Metrics;
using Confluent.Kafka;

namespace Sieve.Core.Metrics;

/// <summary>
/// Consumer lag per assigned partition, for an observable gauge: the partition's high watermark (as last seen in
/// fetch responses, no broker round trip) minus the consumer's position. Partitions without both yet are left out.
/// </summary>
public static class ConsumerLag
{
    /// <summary>Measurements tagged <c>topic</c> and <c>partition</c>; none when <paramref name="consumer"/> is null or closed.</summary>
    public static IEnumerable<Measurement<long>> Measure<TKey, TValue>(IConsumer<TKey, TValue>? consumer)
    {
        if (consumer is null)
        {
            return [];
        }

        var measurements = new List<Measurement<long>>();
        try
        {
            foreach (TopicPartition tp in consumer.Assignment)
            {
                WatermarkOffsets watermarks = consumer.GetWatermarkOffsets(tp);
                Offset position = consumer.Position(tp);
                if (watermarks.High.Value < 0 || position.Value < 0)
                {
                    continue;
                }

                measurements.Add(new Measurement<long>(Math.Max(0, watermarks.High.Value - position.Value),
                    new KeyValuePair<string, object?>("topic", tp.Topic), new KeyValuePair<string, object?>("partition", tp.Partition.Value)));
            }
        }
        catch (Exception e) when (e is KafkaException or ObjectDisposedException or InvalidOperationException)
        {
            // Closed or closing while the scrape ran: report what was gathered.
        }

        return measurements;
    }
}
