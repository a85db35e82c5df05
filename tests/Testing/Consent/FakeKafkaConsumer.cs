using System.Reflection;
using Confluent.Kafka;

namespace Sieve.Testing.Consent;

/// <summary>
/// A single-partition stand-in for <see cref="IConsumer{TKey, TValue}"/> (made with <see cref="DispatchProxy"/>):
/// serves queued messages, honours pause and resume like librdkafka (a paused partition delivers nothing and
/// resumes at its position), and records commits. Members the loader does not use throw.
/// </summary>
public class FakeKafkaConsumer : DispatchProxy
{
    private readonly Lock _gate = new();
    private readonly Queue<ConsumeResult<Ignore, byte[]>> _messages = new();
    private readonly SemaphoreSlim _signal = new(0);
    private readonly List<long> _committed = [];
    private bool _paused;
    private long _nextOffset;

    public static TopicPartition Partition { get; } = new("consent.changes.v1", 0);

    public TaskCompletionSource Paused { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource Resumed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completed with the committed offset once an offset at or past <see cref="CommitTarget"/> is committed.</summary>
    public TaskCompletionSource<long> CommittedThrough { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public long CommitTarget { get; set; } = long.MaxValue;

    /// <summary>Runs at each commit before it is recorded, to check what was true at that moment.</summary>
    public Action<long>? OnCommit { get; set; }

    public IReadOnlyList<long> Commits
    {
        get
        {
            lock (_gate)
            {
                return [.. _committed];
            }
        }
    }

    public static (IConsumer<Ignore, byte[]> Consumer, FakeKafkaConsumer Fake) Create()
    {
        IConsumer<Ignore, byte[]> consumer = Create<IConsumer<Ignore, byte[]>, FakeKafkaConsumer>();
        return (consumer, (FakeKafkaConsumer)(object)consumer);
    }

    public void Enqueue(byte[]? value)
    {
        lock (_gate)
        {
            _messages.Enqueue(new ConsumeResult<Ignore, byte[]>
            {
                TopicPartitionOffset = new TopicPartitionOffset(Partition, _nextOffset++),
                Message = new Message<Ignore, byte[]> { Value = value! },
            });
        }

        _signal.Release();
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        switch (targetMethod!.Name)
        {
            case "Subscribe":
            case "Close":
            case "Dispose":
                return null;
            case "get_Assignment":
                return new List<TopicPartition> { Partition };
            case "Consume" when args![0] is CancellationToken cancellationToken:
                while (true)
                {
                    if (TryTake() is { } result)
                    {
                        return result;
                    }

                    _signal.Wait(cancellationToken);
                }

            case "Consume" when args![0] is TimeSpan:
                return TryTake();
            case "Pause":
                lock (_gate)
                {
                    _paused = true;
                }

                Paused.TrySetResult();
                return null;
            case "Resume":
                lock (_gate)
                {
                    _paused = false;
                }

                Resumed.TrySetResult();
                _signal.Release();
                return null;
            // The loader stores offsets for librdkafka's background commit: this fake commits what is stored at once.
            case "StoreOffset" when args![0] is TopicPartitionOffset stored && stored.TopicPartition == Partition:
            case "Commit" when args![0] is IEnumerable<TopicPartitionOffset> offsets:
                long offset = args[0] is TopicPartitionOffset one ? one.Offset.Value : ((IEnumerable<TopicPartitionOffset>)args[0]!).Single(o => o.TopicPartition == Partition).Offset.Value;
                OnCommit?.Invoke(offset);
                lock (_gate)
                {
                    _committed.Add(offset);
                }

                if (offset >= CommitTarget)
                {
                    CommittedThrough.TrySetResult(offset);
                }

                return null;
            default:
                throw new NotSupportedException(targetMethod.Name);
        }
    }

    private ConsumeResult<Ignore, byte[]>? TryTake()
    {
        lock (_gate)
        {
            return !_paused && _messages.TryDequeue(out ConsumeResult<Ignore, byte[]>? result) ? result : null;
        }
    }
}
