using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Sieve.Core.Consent;
using Sieve.Core.Output;
using Sieve.Core.Pipeline;

namespace Sieve.Core.Erasure;

/// <summary>
/// Consumes <c>erasure.requests.v1</c> and, when <see cref="ErasureOptions.WatchMinors"/>, <c>consent.changes.v1</c>:
/// each request, and each consent change that flags a subject as a minor (reason <see cref="ErasureReason.Minor"/>,
/// request id <c>minor-&lt;partition&gt;-&lt;offset&gt;</c> of the consent change), is carried out by the
/// <see cref="ErasureExecutor"/> before its offset is committed. A request that cannot be read goes to quarantine.
/// While the consent store or Kafka refuses, the request is retried with backoff; it is never skipped.
/// </summary>
public sealed partial class ErasureWorker(ErasureOptions options, ErasureExecutor executor, KafkaErasurePublisher publisher, ILogger logger, TimeProvider? time = null)
{
    private const int MaxBackoffMs = 5000;
    private const int MaxRememberedMinors = 100_000;
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly HashSet<string> _minorsErased = new(StringComparer.Ordinal);

    // Consent changes written with an earlier schema are read as the consent loader reads them, so that a minor flag
    // the loader applies is also erased here.
    private readonly MinorErasures _minors = new();

    /// <summary>Raised after each request's receipt was published.</summary>
    public event Action<ErasureReceipt>? Completed;

    /// <summary>Runs until cancelled, on a thread of its own (the Kafka client blocks).</summary>
    public Task RunAsync(CancellationToken cancellationToken) =>
        Task.Factory.StartNew(() => RunLoopAsync(cancellationToken), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();

    private async Task RunLoopAsync(CancellationToken cancellationToken)
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = options.BootstrapServers,
            GroupId = options.GroupId,
            ClientId = "sieve-sink-erasure-" + options.InstanceId,
            EnableAutoCommit = false,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            IsolationLevel = IsolationLevel.ReadCommitted,
            FetchWaitMaxMs = 50,
        };
        foreach (KeyValuePair<string, string> pair in options.KafkaProperties)
        {
            config.Set(pair.Key, pair.Value);
        }

        using IConsumer<byte[], byte[]> consumer = new ConsumerBuilder<byte[], byte[]>(config)
            .SetErrorHandler((_, e) => LogKafkaError(logger, e.Code, e.IsFatal))
            .Build();
        consumer.Subscribe(options.WatchMinors ? [options.RequestsTopic, options.ConsentChangesTopic] : [options.RequestsTopic]);
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                ConsumeResult<byte[], byte[]>? result;
                try
                {
                    result = consumer.Consume(cancellationToken);
                }
                catch (ConsumeException e)
                {
                    LogKafkaError(logger, e.Error.Code, e.Error.IsFatal);
                    await Task.Delay(200, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                if (result?.Message is null || result.IsPartitionEOF)
                {
                    continue;
                }

                await HandleWithRetriesAsync(result, cancellationToken).ConfigureAwait(false);
                try
                {
                    consumer.Commit([new TopicPartitionOffset(result.TopicPartition, result.Offset + 1)]);
                }
                catch (KafkaException e)
                {
                    // Redelivered later and carried out again: every step is idempotent.
                    LogKafkaError(logger, e.Error.Code, e.Error.IsFatal);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            try
            {
                consumer.Close();
            }
            catch (KafkaException e)
            {
                LogKafkaError(logger, e.Error.Code, e.Error.IsFatal);
            }
        }
    }

    private async Task HandleWithRetriesAsync(ConsumeResult<byte[], byte[]> result, CancellationToken cancellationToken)
    {
        int backoff = 100;
        while (true)
        {
            try
            {
                await HandleAsync(result, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (Exception e) when (e is ConsentUnavailableException or KafkaException or IOException)
            {
                LogRetry(logger, result.Topic, result.Partition.Value, result.Offset.Value, e.GetType().Name, backoff);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(backoff), _time, cancellationToken).ConfigureAwait(false);
            backoff = Math.Min(backoff * 2, MaxBackoffMs);
        }
    }

    private async Task HandleAsync(ConsumeResult<byte[], byte[]> result, CancellationToken cancellationToken)
    {
        ErasureRequest? request;
        if (result.Topic == options.RequestsTopic)
        {
            if (!ErasureCodec.TryDecodeRequest(result.Message.Value, out request, out string? reason))
            {
                LogBadRequest(logger, result.Topic, result.Partition.Value, result.Offset.Value, reason);
                await publisher.PublishQuarantineAsync(OpsRecordWriter.Quarantine(result.Topic, result.Partition.Value, result.Offset.Value,
                    new QuarantineReason(reason, reason is ErasureRequestId.InvalidCode or ErasureRequestId.IdentifierCode
                        ? "ErasureRequest: the request id must be a short token (1 to 64 of A-Za-z0-9._-) and no identifier"
                        : "ErasureRequest: the message could not be read"), _time.GetUtcNow().ToUnixTimeMilliseconds(), options.InstanceId),
                    cancellationToken).ConfigureAwait(false);
                return;
            }
        }
        else
        {
            request = MinorErasure(result);
            if (request is null)
            {
                return;
            }
        }

        ErasureReceipt receipt = await executor.ExecuteAsync(request, cancellationToken).ConfigureAwait(false);
        Completed?.Invoke(receipt);
    }

    // A consent change flagging a minor becomes an erasure request; anything else (or a subject already erased as a
    // minor by this worker) is nothing to do. Bad changes are the consent loader's to report.
    private ErasureRequest? MinorErasure(ConsumeResult<byte[], byte[]> result)
    {
        if (!_minors.TryRead(result.Message.Value, result.Partition.Value, result.Offset.Value, out Sieve.Contracts.Identifiers.SubjectType type, out string subjectId, out long effectiveTime,
            out string requestId))
        {
            return null;
        }

        string key = Sieve.Contracts.Identifiers.SubjectTypeNames.Of(type) + "/" + subjectId;
        if (!_minorsErased.Add(key))
        {
            return null;
        }

        if (_minorsErased.Count > MaxRememberedMinors)
        {
            _minorsErased.Clear();
        }

        return new ErasureRequest(type, subjectId, requestId, ErasureReason.Minor, DateTimeOffset.FromUnixTimeMilliseconds(effectiveTime));
    }

    [LoggerMessage(EventId = 5301, Level = LogLevel.Warning, Message = "Erasure request at {Topic} [{Partition}] @{Offset} could not be read: {Reason}")]
    private static partial void LogBadRequest(ILogger logger, string topic, int partition, long offset, string reason);

    [LoggerMessage(EventId = 5302, Level = LogLevel.Warning, Message = "Erasure at {Topic} [{Partition}] @{Offset} failed ({ExceptionType}); retrying in {Backoff} ms")]
    private static partial void LogRetry(ILogger logger, string topic, int partition, long offset, string exceptionType, int backoff);

    [LoggerMessage(EventId = 5303, Level = LogLevel.Warning, Message = "Kafka error {Code} (fatal: {IsFatal})")]
    private static partial void LogKafkaError(ILogger logger, ErrorCode code, bool isFatal);
}
