using Confluent.Kafka;
using Sieve.Contracts;
using Sieve.Contracts.Records;
using Sieve.Simulation;

namespace Sieve.Commands.Bench;

/// <summary>
/// The devices of a paced level: its inputs made before it starts (their event times are the instants they are
/// due), then sent at those instants, round-robin over each input topic's partitions, as the devices' own producer
/// would. A send that falls behind its plan counts against the latency.
/// </summary>
/// <param name="bootstrapServers">The bench's Kafka.</param>
/// <param name="telematicsTopic">Where telematics inputs go.</param>
/// <param name="wifiTopic">Where Wi-Fi inputs go.</param>
/// <param name="partitions">Partitions of each input topic.</param>
public sealed class PacedSender(string bootstrapServers, string telematicsTopic, string wifiTopic, int partitions)
{
    private long _produced;

    /// <summary>Inputs sent so far, over all levels.</summary>
    public long Produced => Interlocked.Read(ref _produced);

    /// <summary>
    /// Makes <paramref name="level"/>'s inputs: input <c>i</c> is due at <paramref name="startMs"/> + i / rate and
    /// carries that instant as its event time.
    /// </summary>
    public static RawMessage[] Plan(FleetSimulator fleet, PacedLevel level, long startMs)
    {
        ArgumentNullException.ThrowIfNull(fleet);
        ArgumentNullException.ThrowIfNull(level);
        var planned = new RawMessage[level.Events];
        for (int i = 0; i < planned.Length; i++)
        {
            planned[i] = fleet.Next(startMs + (i * 1000L / level.Rate));
        }

        return planned;
    }

    /// <summary>Input (0 telematics, 1 Wi-Fi) and partition of each of <paramref name="planned"/>, as <see cref="Send"/> routes them.</summary>
    public (int Input, int Partition)[] Route(RawMessage[] planned)
    {
        ArgumentNullException.ThrowIfNull(planned);
        var routes = new (int, int)[planned.Length];
        int[] next = new int[2];
        for (int i = 0; i < planned.Length; i++)
        {
            int input = planned[i].Topic == Topics.TelematicsRaw ? 0 : 1;
            routes[i] = (input, next[input]);
            next[input] = (next[input] + 1) % partitions;
        }

        return routes;
    }

    /// <summary>Sends <paramref name="planned"/> at <paramref name="rate"/> per second from <paramref name="startMs"/>, then flushes.</summary>
    public void Send(RawMessage[] planned, long startMs, int rate, CancellationToken cancellationToken)
    {
        (int Input, int Partition)[] routes = Route(planned);
        using IProducer<byte[], byte[]> producer = new ProducerBuilder<byte[], byte[]>(new ProducerConfig
        {
            BootstrapServers = bootstrapServers,
            EnableIdempotence = true,
            Acks = Acks.All,
            LingerMs = 2,
            ClientId = "sieve-bench-paced-devices",
        }).Build();
        int sent = 0;
        while (sent < planned.Length && !cancellationToken.IsCancellationRequested)
        {
            long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            long due = Math.Min(planned.Length, Math.Max(0, (now - startMs) * rate / 1000 + 1));
            while (sent < due)
            {
                RawMessage m = planned[sent];
                (int input, int partition) = routes[sent];
                long eventTime = startMs + (sent * 1000L / rate);
                KafkaBackpressure.Produce(producer, new TopicPartition(input == 0 ? telematicsTopic : wifiTopic, partition),
                    new Message<byte[], byte[]> { Key = m.Key, Value = m.Value, Timestamp = new Timestamp(eventTime, TimestampType.CreateTime) });
                sent++;
                Interlocked.Increment(ref _produced);
            }

            Thread.Sleep(1);
        }

        producer.Flush(cancellationToken);
    }
}
