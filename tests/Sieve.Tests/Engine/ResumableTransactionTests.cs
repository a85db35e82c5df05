using Confluent.Kafka;
using Sieve.Core.Engine;

namespace Sieve.Tests.Engine;

/// <summary>
/// A transactional call that fails as retriable is made again, never followed by another call: librdkafka answers
/// any other call with Local_Conflict until the timed-out one is resumed (seen as a Minimizer retrying a batch every
/// 5 s for minutes after a 30-second broker outage, each attempt refused with "Conflicting commit_transaction API call
/// is already in progress").
/// </summary>
public sealed class ResumableTransactionTests
{
    private static readonly List<TopicPartitionOffset> Offsets = [new("raw", 0, 10)];

    [Fact]
    public void A_commit_that_timed_out_is_made_again_until_it_succeeds_and_nothing_else_is_called_in_between()
    {
        var producer = new ScriptedProducer { CommitFailures = 2, SendOffsetsFailures = 1 };

        int again = ResumableTransaction.Commit(producer, Offsets, new FakeGroupMetadata(), TimeSpan.FromSeconds(1), CancellationToken.None);

        Assert.Equal(3, again);
        Assert.Equal(["send-offsets", "send-offsets", "commit", "commit", "commit"], producer.Calls);
    }

    [Fact]
    public void A_commit_that_must_abort_is_not_made_again()
    {
        var producer = new ScriptedProducer { CommitRequiresAbort = true };

        Assert.Throws<KafkaTxnRequiresAbortException>(() =>
            ResumableTransaction.Commit(producer, Offsets, new FakeGroupMetadata(), TimeSpan.FromSeconds(1), CancellationToken.None));
        Assert.Equal(["send-offsets", "commit"], producer.Calls);
    }

    [Fact]
    public void An_abort_that_timed_out_is_made_again()
    {
        var producer = new ScriptedProducer { AbortFailures = 2 };

        Assert.Equal(2, ResumableTransaction.Abort(producer, TimeSpan.FromSeconds(1), CancellationToken.None));
        Assert.Equal(["abort", "abort", "abort"], producer.Calls);
    }

    [Fact]
    public void A_stopping_service_stops_making_the_call_again()
    {
        var producer = new ScriptedProducer { CommitFailures = int.MaxValue };
        using var stop = new CancellationTokenSource();
        stop.Cancel();

        Assert.Throws<KafkaRetriableException>(() =>
            ResumableTransaction.Commit(producer, Offsets, new FakeGroupMetadata(), TimeSpan.FromSeconds(1), stop.Token));
        Assert.Equal(["send-offsets", "commit"], producer.Calls);
    }

    private sealed class FakeGroupMetadata : IConsumerGroupMetadata;

    /// <summary>A producer whose transactional calls fail as told; every other member is unused here.</summary>
    private sealed class ScriptedProducer : IProducer<byte[], byte[]>
    {
        public int SendOffsetsFailures { get; set; }
        public int CommitFailures { get; set; }
        public int AbortFailures { get; set; }
        public bool CommitRequiresAbort { get; set; }
        public List<string> Calls { get; } = [];

        public void SendOffsetsToTransaction(IEnumerable<TopicPartitionOffset> offsets, IConsumerGroupMetadata groupMetadata, TimeSpan timeout)
        {
            Calls.Add("send-offsets");
            if (SendOffsetsFailures-- > 0)
            {
                throw new KafkaRetriableException(new Error(ErrorCode.Local_TimedOut));
            }
        }

        public void CommitTransaction(TimeSpan timeout)
        {
            Calls.Add("commit");
            if (CommitRequiresAbort)
            {
                throw new KafkaTxnRequiresAbortException(new Error(ErrorCode.InvalidTxnState));
            }

            if (CommitFailures-- > 0)
            {
                throw new KafkaRetriableException(new Error(ErrorCode.Local_TimedOut));
            }
        }

        public void AbortTransaction(TimeSpan timeout)
        {
            Calls.Add("abort");
            if (AbortFailures-- > 0)
            {
                throw new KafkaRetriableException(new Error(ErrorCode.Local_TimedOut));
            }
        }

        public Handle Handle => throw new NotSupportedException();
        public string Name => "scripted";
        public int AddBrokers(string brokers) => throw new NotSupportedException();
        public void SetSaslCredentials(string username, string password) => throw new NotSupportedException();
        public Task<DeliveryResult<byte[], byte[]>> ProduceAsync(string topic, Message<byte[], byte[]> message, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public Task<DeliveryResult<byte[], byte[]>> ProduceAsync(TopicPartition topicPartition, Message<byte[], byte[]> message, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public void Produce(string topic, Message<byte[], byte[]> message, Action<DeliveryReport<byte[], byte[]>>? deliveryHandler = null) => throw new NotSupportedException();
        public void Produce(TopicPartition topicPartition, Message<byte[], byte[]> message, Action<DeliveryReport<byte[], byte[]>>? deliveryHandler = null) => throw new NotSupportedException();
        public int Poll(TimeSpan timeout) => throw new NotSupportedException();
        public int Flush(TimeSpan timeout) => throw new NotSupportedException();
        public void Flush(CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public void InitTransactions(TimeSpan timeout) => throw new NotSupportedException();
        public void BeginTransaction() => throw new NotSupportedException();
        public void CommitTransaction() => throw new NotSupportedException();
        public void AbortTransaction() => throw new NotSupportedException();
        public void Dispose()
        {
        }
    }
}
