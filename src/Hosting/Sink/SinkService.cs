using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Sieve.Contracts.Pseudonymization;
using Sieve.Core.Consent;
using Sieve.Core.Erasure;
using Sieve.Core.Lake;
using Sieve.Core.Landing;
using Sieve.Core.Metrics;
using Sieve.Core.Registry;
using Sieve.Core.Retention;
using Sieve.Hosting.Observability;

namespace Sieve.Hosting.Sink;

/// <summary>
/// Hosts the sink engine, the erasure notice follower, the erasure worker and the retention sweeper in one process,
/// on settings that <see cref="SinkHost"/> validated at start-up. A stop flushes and commits what is buffered and
/// leaves the consumer group.
/// </summary>
public sealed class SinkService(SinkSettings settings, ILoggerFactory loggers, SinkMetrics metrics) : BackgroundService
{
    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        ILogger logger = loggers.CreateLogger("Sieve.Sink");
        Core.Lake.LakePermissions.CreateFolder(settings.Engine.Root);
        if (settings.Keys?.IsDemo == true)
        {
            logger.LogWarning("Running on the built-in demo master key: pseudonyms are not secret. Never use it for real data.");
        }

        var erased = new ErasedSubjects();
        using var gate = new LakeGate();
        using SchemaRegistryBinding? registry = SchemaRegistryBinding.Connect(settings.SchemaRegistry);
        using var engine = new SinkEngine(settings.Engine, settings.Tables, erased, gate, metrics, loggers.CreateLogger<SinkEngine>()) { Registry = registry };
        metrics.ObserveLag(() => engine.Consumer);
        long commits = 0;
        engine.Committed += _ => Interlocked.Increment(ref commits);
        var follower = new NoticeFollower(settings.Erasure, erased, loggers.CreateLogger<NoticeFollower>());
        var sweeper = new RetentionSweeper(settings.Engine.Root, settings.Tables, gate, metrics, loggers.CreateLogger<RetentionSweeper>());
        var tasks = new List<Task>
        {
            follower.RunAsync(stoppingToken),
            Task.Factory.StartNew(() => engine.RunAsync(stoppingToken), stoppingToken, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap(),
            sweeper.RunAsync(settings.RetentionSweepInterval, stoppingToken),
        };

        RedisConsentStore? store = null;
        KafkaErasurePublisher? publisher = null;
        try
        {
            if (settings.ErasureEnabled)
            {
                store = await RedisConsentStore.ConnectAsync(new RedisConsentStoreOptions { Configuration = settings.RedisConfiguration },
                    logger: loggers.CreateLogger<RedisConsentStore>()).ConfigureAwait(false);
                publisher = new KafkaErasurePublisher(settings.Erasure, registry);
                var executor = new ErasureExecutor(settings.Tables, new PseudonymKeyFactory(settings.Keys!), store, erased,
                    new LakeEraser(settings.Engine.Root, gate), publisher, metrics, loggers.CreateLogger<ErasureExecutor>());
                var worker = new ErasureWorker(settings.Erasure, executor, publisher, loggers.CreateLogger<ErasureWorker>());
                tasks.Add(worker.RunAsync(stoppingToken));
            }

            await Task.WhenAll(tasks).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            publisher?.Dispose();
            if (store is not null)
            {
                await store.DisposeAsync().ConfigureAwait(false);
            }
        }

        ServiceLog.SinkStopped(logger, engine.RowsLanded, engine.FilesWritten, Interlocked.Read(ref commits));
    }
}
