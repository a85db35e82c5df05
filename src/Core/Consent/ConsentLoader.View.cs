using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Sieve.Core.Consent;

// Keeping a store that is a view of the topic (IConsentView) whole: positions recorded with each change, verified
// against what this loader applied and committed, and re-applied from the topic when the store lost some.
public sealed partial class ConsentLoader
{
    private static readonly TimeSpan MetadataTimeout = TimeSpan.FromSeconds(5);

    private long _viewLosses;
    private long _viewChecks;
    private int _viewRebuilding;

    /// <summary>Times the store was found to hold less of a partition than this loader had applied (each then re-applied from the topic).</summary>
    public long ViewLosses => Volatile.Read(ref _viewLosses);

    /// <summary>View checks made (one per partition read, every <see cref="ConsentLoaderOptions.ViewCheckInterval"/>).</summary>
    public long ViewChecks => Volatile.Read(ref _viewChecks);

    /// <summary>Partitions being re-applied because the store lost changes; the store's readers are held meanwhile.</summary>
    public int ViewRebuilding => Volatile.Read(ref _viewRebuilding);

    // The store's view of the loader's topic, or null when the store keeps none (then the loader only applies).
    private static IConsentView? ViewOf(IConsentStore store, string topic)
    {
        if (store is not IConsentView { ConsentTopic: { } viewTopic } view)
        {
            return null;
        }

        return string.Equals(viewTopic, topic, StringComparison.Ordinal)
            ? view
            : ThrowHelper.ThrowViewOfOtherTopic();
    }

    // The position of a partition read now; created from the group's committed offset when it is first seen.
    private ViewPosition PositionOf(LoopState state, TopicPartition partition)
    {
        if (state.Positions.TryGetValue(partition.Partition.Value, out ViewPosition? position))
        {
            return position;
        }

        long committed = 0;
        try
        {
            List<TopicPartitionOffset> offsets = state.Consumer.Committed([partition], MetadataTimeout);
            if (offsets.Count == 1 && offsets[0].Offset.Value > 0)
            {
                committed = offsets[0].Offset.Value;
            }
        }
        catch (KafkaException e)
        {
            // Unknown: the partition then counts from the first record handled, which can only make a loss look
            // smaller than it is, never a store look more complete; the next assignment reads it again.
            LogKafkaError(_logger, e.Error.Code, e.Error.IsFatal);
        }

        position = new ViewPosition { Known = committed, Target = committed };
        state.Positions[partition.Partition.Value] = position;
        return position;
    }

    // A record handled and its position recorded in the store: commit it, unless it is one re-applied below what
    // the group committed before (committing it would move the group's offset back and lose the rebuild's target).
    private static void Advance(LoopState state, TopicPartition partition, ViewPosition position, long next)
    {
        position.Known = next;
        if (next >= position.Target)
        {
            position.Target = next;
            state.Offsets[partition] = new TopicPartitionOffset(partition, next);
        }
    }

    private void CheckViewWhenDue(LoopState state, CancellationToken cancellationToken)
    {
        if (state.View is null || _time.GetTimestamp() < state.NextCheck)
        {
            return;
        }

        state.NextCheck = _time.GetTimestamp() + (long)(_options.ViewCheckInterval.TotalSeconds * _time.TimestampFrequency);
        List<TopicPartition> assignment = state.Consumer.Assignment;

        // Positions of partitions no longer read are dropped; a partition assigned again starts from its commit.
        if (state.Positions.Count > assignment.Count || assignment.Count == 0)
        {
            var assigned = new HashSet<int>();
            foreach (TopicPartition partition in assignment)
            {
                assigned.Add(partition.Partition.Value);
            }

            foreach (int partition in new List<int>(state.Positions.Keys))
            {
                if (!assigned.Contains(partition))
                {
                    state.Positions.Remove(partition);
                }
            }
        }

        foreach (TopicPartition partition in assignment)
        {
            VerifyPartition(state, partition, cancellationToken);
        }

        int rebuilding = 0;
        foreach (ViewPosition position in state.Positions.Values)
        {
            rebuilding += position.Rebuilding ? 1 : 0;
        }

        Volatile.Write(ref _viewRebuilding, rebuilding);
    }

    // Verifies that the store holds the partition up to the highest position this loader's group reached; when it
    // holds less, moves the consumer back to where the store's copy ends and re-applies from there.
    private void VerifyPartition(LoopState state, TopicPartition partition, CancellationToken cancellationToken)
    {
        int partitions = PartitionCount(state);
        if (partitions <= partition.Partition.Value)
        {
            // Without the topic's partition count no partition is verified: readers stay held, which fails closed.
            return;
        }

        ViewPosition position = PositionOf(state, partition);
        long? held;
        try
        {
            held = state.View!.VerifyAsync(partition.Partition.Value, partitions, position.Target, cancellationToken).GetAwaiter().GetResult();
        }
        catch (ConsentUnavailableException e)
        {
            // Checked again at the next interval; until then the partition keeps whatever state it had.
            LogViewCheckFailed(_logger, e.Message);
            return;
        }

        Interlocked.Increment(ref _viewChecks);
        if (held is not long behind)
        {
            if (position.Rebuilding)
            {
                position.Rebuilding = false;
                LogViewRebuilt(_logger, partition.Partition.Value, position.Target);
            }

            return;
        }

        if (behind >= position.Known)
        {
            // Already re-applying from at or below what the store holds; it catches up by itself.
            return;
        }

        if (!position.Rebuilding)
        {
            position.Rebuilding = true;
            Interlocked.Increment(ref _viewLosses);
            LogViewLost(_logger, partition.Partition.Value, behind, position.Target);
        }

        position.Known = behind;
        state.Offsets.Remove(partition);
        DropHeld(state.Held, partition);
        try
        {
            state.Consumer.Seek(new TopicPartitionOffset(partition, behind));
        }
        catch (KafkaException e)
        {
            // Not seekable now (e.g. being revoked); the position stays behind, so the next check tries again.
            LogKafkaError(_logger, e.Error.Code, e.Error.IsFatal);
            position.Known = long.MaxValue;
        }
    }

    private static void DropHeld(Queue<ConsumeResult<Ignore, byte[]>> held, TopicPartition partition)
    {
        for (int i = held.Count; i > 0; i--)
        {
            ConsumeResult<Ignore, byte[]> message = held.Dequeue();
            if (message.TopicPartition != partition)
            {
                held.Enqueue(message);
            }
        }
    }

    // The consent topic's partition count, read once from the cluster; 0 while it cannot be read.
    private int PartitionCount(LoopState state)
    {
        if (state.Partitions > 0)
        {
            return state.Partitions;
        }

        try
        {
            using IAdminClient admin = new DependentAdminClientBuilder(state.Consumer.Handle).Build();
            Metadata metadata = admin.GetMetadata(_options.Topic, MetadataTimeout);
            if (metadata.Topics.Count == 1 && metadata.Topics[0].Error.Code == ErrorCode.NoError)
            {
                state.Partitions = metadata.Topics[0].Partitions.Count;
            }
        }
        catch (KafkaException e)
        {
            LogKafkaError(_logger, e.Error.Code, e.Error.IsFatal);
        }

        return state.Partitions;
    }

    /// <summary>Where the loader stands in one partition, in the terms of the store's view.</summary>
    private sealed class ViewPosition
    {
        /// <summary>The position the store held after the last record this loader handled (what the next record expects).</summary>
        public long Known;

        /// <summary>The highest position this loader's group reached: the store must hold it for the partition to be verified.</summary>
        public long Target;

        /// <summary>True from a detected loss until the partition is verified again.</summary>
        public bool Rebuilding;
    }

    /// <summary>What the loader's loop carries from one message to the next.</summary>
    private sealed class LoopState(IConsumer<Ignore, byte[]> consumer, ConsentChangeTranslator translator, IConsentView? view)
    {
        public IConsumer<Ignore, byte[]> Consumer { get; } = consumer;

        public ConsentChangeTranslator Translator { get; } = translator;

        /// <summary>The store's view of the topic; null when the store keeps none.</summary>
        public IConsentView? View { get; } = view;

        /// <summary>Messages polled while the store was unavailable, handled before polling again.</summary>
        public Queue<ConsumeResult<Ignore, byte[]>> Held { get; } = new();

        /// <summary>Offsets to commit at the end of the batch.</summary>
        public Dictionary<TopicPartition, TopicPartitionOffset> Offsets { get; } = [];

        /// <summary>Per partition read, its position in the view.</summary>
        public Dictionary<int, ViewPosition> Positions { get; } = [];

        /// <summary>The consent topic's partition count; 0 until read.</summary>
        public int Partitions { get; set; }

        /// <summary>Timestamp at which the next view check is due.</summary>
        public long NextCheck { get; set; }
    }

    [LoggerMessage(EventId = 4205, Level = LogLevel.Error,
        Message = "The consent store lost changes of partition {Partition}: it holds up to offset {Held}, this loader applied up to {Target}. Re-applying from the topic; consent purposes are held until done")]
    private static partial void LogViewLost(ILogger logger, int partition, long held, long target);

    [LoggerMessage(EventId = 4206, Level = LogLevel.Information, Message = "The consent store holds partition {Partition} again up to offset {Target}")]
    private static partial void LogViewRebuilt(ILogger logger, int partition, long target);

    [LoggerMessage(EventId = 4207, Level = LogLevel.Warning, Message = "Could not verify the consent view: {Detail}")]
    private static partial void LogViewCheckFailed(ILogger logger, string detail);
}
