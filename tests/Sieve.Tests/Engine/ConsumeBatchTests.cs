using System.Diagnostics;
using System.Reflection;
using Confluent.Kafka;
using Sieve.Core.Engine;

namespace Sieve.Tests.Engine;

/// <summary>When <see cref="ConsumeBatch.Fill"/> closes a batch, per <see cref="BatchPolicy"/>, over a scripted consumer.</summary>
public sealed class ConsumeBatchTests
{
    [Fact]
    public void Adaptive_takes_what_is_waiting_without_waiting_and_closes_when_nothing_more_is()
    {
        IConsumer<Ignore, int> consumer = ScriptedConsumer.Create([1, 2, 3, null, 4], out ScriptedConsumer script);
        var batch = new List<ConsumeResult<Ignore, int>>();

        long firstTaken = ConsumeBatch.Fill(consumer, batch, Options(BatchPolicy.Adaptive, maxMessages: 100), CancellationToken.None);

        Assert.Equal([1, 2, 3], batch.Select(r => r.Message.Value));
        Assert.NotEqual(0, firstTaken);
        // The first input is waited for; after it, only what the consumer already holds (a zero wait).
        Assert.Equal([TimeSpan.FromMilliseconds(100), TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero], script.Waits);
    }

    [Fact]
    public void Adaptive_closes_at_the_most_inputs_a_batch_may_hold()
    {
        IConsumer<Ignore, int> consumer = ScriptedConsumer.Create([1, 2, 3, 4, 5], out _);
        var batch = new List<ConsumeResult<Ignore, int>>();

        ConsumeBatch.Fill(consumer, batch, Options(BatchPolicy.Adaptive, maxMessages: 2), CancellationToken.None);

        Assert.Equal([1, 2], batch.Select(r => r.Message.Value));
    }

    [Fact]
    public void Linger_keeps_waiting_for_more_after_the_consumer_runs_dry()
    {
        // Nothing after the first input until the linger is over: the batch waits with a positive timeout each time.
        IConsumer<Ignore, int> consumer = ScriptedConsumer.Create([1, null, null, 2], out ScriptedConsumer script);
        var batch = new List<ConsumeResult<Ignore, int>>();

        ConsumeBatch.Fill(consumer, batch, Options(BatchPolicy.Linger, maxMessages: 2, maxWaitMs: 60_000), CancellationToken.None);

        Assert.Equal([1, 2], batch.Select(r => r.Message.Value));
        Assert.All(script.Waits.Skip(1), wait => Assert.True(wait > TimeSpan.Zero, "linger waited " + wait));
    }

    [Fact]
    public void A_partition_end_is_skipped_and_nothing_taken_reports_no_first_instant()
    {
        IConsumer<Ignore, int> consumer = ScriptedConsumer.Create([ScriptedConsumer.PartitionEof], out _);
        var batch = new List<ConsumeResult<Ignore, int>>();
        using var cancel = new CancellationTokenSource();
        ScriptedConsumer.OnExhausted = cancel.Cancel;

        long firstTaken = ConsumeBatch.Fill(consumer, batch, Options(BatchPolicy.Adaptive, maxMessages: 10), cancel.Token);

        Assert.Empty(batch);
        Assert.Equal(0, firstTaken);
    }

    [Fact]
    public void Stage_times_are_the_spans_between_the_instants_a_batch_passed()
    {
        long start = Stopwatch.GetTimestamp();
        long Ms(double ms) => start + (long)(ms * Stopwatch.Frequency / 1000);
        var times = new BatchStageTimes
        {
            Inputs = 10,
            OldestInputMs = 1_000_000,
            FirstTaken = Ms(0),
            Closed = Ms(2),
            Processed = Ms(5),
            Produced = Ms(6),
            Committed = Ms(26),
            Done = Ms(27),
            CommittedAtMs = 1_000_040,
            Retries = 0,
        };

        Assert.Equal(2, times.FillMs, 3);
        Assert.Equal(3, times.ProcessMs, 3);
        Assert.Equal(1, times.ProduceMs, 3);
        Assert.Equal(20, times.CommitMs, 3);
        Assert.Equal(1, times.OffsetCommitMs, 3);
        // Taken at wall time 1,000,040 - 26 = 1,000,014: the oldest input waited 14 ms before it.
        Assert.Equal(14, times.FetchWaitMs, 3);
    }

    private static MinimizerOptions Options(BatchPolicy policy, int maxMessages, int maxWaitMs = 50) => new()
    {
        BatchPolicy = policy,
        BatchMaxMessages = maxMessages,
        BatchMaxWaitMs = maxWaitMs,
    };

    /// <summary>An <see cref="IConsumer{TKey,TValue}"/> whose <c>Consume(TimeSpan)</c> plays a script: a value, null (nothing waiting) or a partition end.</summary>
    public class ScriptedConsumer : DispatchProxy
    {
        public const int PartitionEof = int.MinValue;

        [ThreadStatic]
        public static Action? OnExhausted;

        private Queue<int?> _script = new();

        public List<TimeSpan> Waits { get; } = [];

        public static IConsumer<Ignore, int> Create(IEnumerable<int?> script, out ScriptedConsumer state)
        {
            IConsumer<Ignore, int> proxy = Create<IConsumer<Ignore, int>, ScriptedConsumer>();
            state = (ScriptedConsumer)(object)proxy;
            state._script = new Queue<int?>(script);
            OnExhausted = null;
            return proxy;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            if (targetMethod is { Name: "Consume" } && args is [TimeSpan wait])
            {
                Waits.Add(wait);
                if (!_script.TryDequeue(out int? next))
                {
                    OnExhausted?.Invoke();
                    return null;
                }

                return next switch
                {
                    null => null,
                    PartitionEof => new ConsumeResult<Ignore, int> { IsPartitionEOF = true, TopicPartitionOffset = new TopicPartitionOffset("t", 0, 0) },
                    int value => new ConsumeResult<Ignore, int> { Message = new Message<Ignore, int> { Value = value }, TopicPartitionOffset = new TopicPartitionOffset("t", 0, value) },
                };
            }

            throw new NotSupportedException(targetMethod?.Name);
        }
    }
}
