using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Sieve.Core.Erasure;

/// <summary>
/// Reads every partition of the erasure notices topic from the start, without a consumer group, into
/// <see cref="ErasedSubjects"/>: first up to the end offsets seen at start-up (then <see cref="ErasedSubjects.Ready"/>
/// completes and the sink may land), then whatever arrives later. So every sink instance drops every erased
/// subject's rows, whoever carried out the erasure.
/// </summary>
public sealed partial class NoticeFollower(ErasureOptions options, ErasedSubjects erased, ILogger logger)
{
    private static readonly TimeSpan MetadataTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Runs until cancelled, on a thread of its own.</summary>
    public Task RunAsync(CancellationToken cancellationToken) =>
        Task.Factory.StartNew(() => Run(cancellationToken), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private void Run(CancellationToken cancellationToken)
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = options.BootstrapServers,
            GroupId = "sieve-sink-notices-" + Guid.NewGuid().ToString("N"),
            ClientId = "sieve-sink-notices-" + options.InstanceId,
            EnableAutoCommit = false,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            FetchWaitMaxMs = 50,
        };
        foreach (KeyValuePair<string, string> pair in options.KafkaProperties)
        {
            config.Set(pair.Key, pair.Value);
        }

        try
        {
            using IConsumer<byte[], byte[]> consumer = new ConsumerBuilder<byte[], byte[]>(config).Build();
            Dictionary<TopicPartition, long> ends = Assign(consumer, cancellationToken);
            if (ends.Count == 0)
            {
                erased.MarkReady();
            }

            while (!cancellationToken.IsCancellationRequested)
            {
                ConsumeResult<byte[], byte[]>? result;
                try
                {
                    result = consumer.Consume(TimeSpan.FromMilliseconds(100));
                }
                catch (ConsumeException e)
                {
                    LogKafkaError(logger, e.Error.Code);
                    continue;
                }

                if (result?.Message is not null && !result.IsPartitionEOF)
                {
                    if (ErasureCodec.TryDecodeNotice(result.Message.Value, out ErasureNotice? notice, out string? reason))
                    {
                        erased.Add(notice.Purpose, notice.Subject);
                    }
                    else
                    {
                        LogBadNotice(logger, result.Partition.Value, result.Offset.Value, reason);
                    }

                    if (ends.TryGetValue(result.TopicPartition, out long end) && result.Offset.Value + 1 >= end)
                    {
                        ends.Remove(result.TopicPartition);
                    }
                }

                if (ends.Count == 0)
                {
                    erased.MarkReady();
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    // Assigns every partition from offset 0 and returns the end offsets of the non-empty ones. Waits (retrying) until
    // the topic's metadata can be read: landing must not start before the notices published so far are known.
    private Dictionary<TopicPartition, long> Assign(IConsumer<byte[], byte[]> consumer, CancellationToken cancellationToken)
    {
        // Said at once, then every half minute: the wait is retried every second.
        for (long attempt = 0; ; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                using IAdminClient admin = new DependentAdminClientBuilder(consumer.Handle).Build();
                TopicMetadata? topic = admin.GetMetadata(options.NoticesTopic, MetadataTimeout).Topics.Find(t => t.Topic == options.NoticesTopic);
                if (topic is { Error.Code: ErrorCode.NoError } && topic.Partitions.Count > 0)
                {
                    var ends = new Dictionary<TopicPartition, long>();
                    var assignment = new List<TopicPartitionOffset>();
                    foreach (PartitionMetadata partition in topic.Partitions)
                    {
                        var tp = new TopicPartition(options.NoticesTopic, partition.PartitionId);
                        WatermarkOffsets watermarks = consumer.QueryWatermarkOffsets(tp, MetadataTimeout);
                        if (watermarks.High.Value > watermarks.Low.Value)
                        {
                            ends[tp] = watermarks.High.Value;
                        }

                        assignment.Add(new TopicPartitionOffset(tp, new Offset(0)));
                    }

                    consumer.Assign(assignment);
                    return ends;
                }

                if (attempt % 30 == 0)
                {
                    LogWaitingForTopic(logger, options.NoticesTopic, topic?.Error.Code ?? ErrorCode.UnknownTopicOrPart);
                }
            }
            catch (KafkaException e)
            {
                LogKafkaError(logger, e.Error.Code);
            }

            cancellationToken.WaitHandle.WaitOne(TimeSpan.FromSeconds(1));
        }
    }

    [LoggerMessage(EventId = 5401, Level = LogLevel.Warning, Message = "Erasure notice at partition {Partition} @{Offset} could not be read: {Reason}")]
    private static partial void LogBadNotice(ILogger logger, int partition, long offset, string reason);

    [LoggerMessage(EventId = 5402, Level = LogLevel.Warning, Message = "Waiting for the erasure notices topic {Topic} ({Code}); nothing is landed until it can be read. If it was never created, run: sieve topics provision --bootstrap <Kafka:BootstrapServers>")]
    private static partial void LogWaitingForTopic(ILogger logger, string topic, ErrorCode code);

    [LoggerMessage(EventId = 5403, Level = LogLevel.Warning, Message = "Kafka error {Code} reading erasure notices")]
    private static partial void LogKafkaError(ILogger logger, ErrorCode code);
}
