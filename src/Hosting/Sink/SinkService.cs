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
/// on settings that <see cref="SinkHost"/> validated at start-up. A loop that ends before the stop stops the service
/// with exit code 1 (<see cref="ServiceStop.RunAsync"/>). A stop flushes and commits what is buffered and
/// leaves the consumer group, waiting at most <see cref="ServiceStop.Wait"/> for Kafka.
/// </summary>
public sealed class SinkService(SinkSettings settings, ILoggerFactory loggers, SinkMetrics metrics, IHostApplicationLifetime lifetime) : BackgroundService
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
        var gate = new LakeGate();
        SchemaRegistryBinding? registry = null;
        SinkEngine? engine = null;
        bool finished = true;
        try
        {
            registry = SchemaRegistryBinding.Connect(settings.SchemaRegistry);
            engine = new SinkEngine(settings.Engine, settings.Tables, erased, gate, metrics, loggers.CreateLogger<SinkEngine>()) { Registry = registry };
            finished = await RunAsync(engine, erased, gate, registry, logger, stoppingToken).ConfigureAwait(false);
        }
        finally
        {
            // A loop still blocked in a Kafka call uses the engine's clients and the lake gate: they are left to the process's exit.
            if (finished)
            {
                engine?.Dispose();
                registry?.Dispose();
                gate.Dispose();
            }
        }
    }

    // Runs the loops until the service is stopped; false when some did not finish within ServiceStop.Wait of the stop.
    private async Task<bool> RunAsync(SinkEngine engine, ErasedSubjects erased, LakeGate gate, SchemaRegistryBinding? registry, ILogger logger, CancellationToken stoppingToken)
    {
        metrics.ObserveLag(() => engine.Consumer);
        long commits = 0;
        engine.Committed += _ => Interlocked.Increment(ref commits);
        var follower = new NoticeFollower(settings.Erasure, erased, loggers.CreateLogger<NoticeFollower>());
        var sweeper = new RetentionSweeper(settings.Engine.Root, settings.Tables, gate, metrics, loggers.CreateLogger<RetentionSweeper>());
        RedisConsentStore? store = null;
        KafkaErasurePublisher? publisher = null;
        List<(string Name, Task Loop)> loops = [];
        bool finished = true;
        try
        {
            // The erasure side is set up before any loop starts: if Redis cannot be reached, nothing runs yet that the
            // clean-up below would dispose under it.
            ErasureWorker? worker = null;
            if (settings.ErasureEnabled)
            {
                store = await RedisConsentStore.ConnectAsync(new RedisConsentStoreOptions { Configuration = settings.RedisConfiguration },
                    logger: loggers.CreateLogger<RedisConsentStore>()).ConfigureAwait(false);
                publisher = new KafkaErasurePublisher(settings.Erasure, registry);
                var executor = new ErasureExecutor(settings.Tables, new PseudonymKeyFactory(settings.Keys!), store, erased,
                    new LakeEraser(settings.Engine.Root, gate), publisher, metrics, loggers.CreateLogger<ErasureExecutor>());
                worker = new ErasureWorker(settings.Erasure, executor, publisher, loggers.CreateLogger<ErasureWorker>());
            }

            loops =
            [
                ("erasure notice follower", follower.RunAsync(stoppingToken)),
                ("lake writer", Task.Factory.StartNew(() => engine.RunAsync(stoppingToken), stoppingToken, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap()),
                ("retention sweeper", sweeper.RunAsync(settings.RetentionSweepInterval, stoppingToken)),
            ];
            if (worker is not null)
            {
                loops.Add(("erasure worker", worker.RunAsync(stoppingToken)));
            }

            finished = await ServiceStop.RunAsync(loops, "sink", logger, lifetime, stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            // The erasure worker, when it has not finished, may still use the publisher and the store.
            if (finished)
            {
                publisher?.Dispose();
                if (store is not null)
                {
                    await store.DisposeAsync().ConfigureAwait(false);
                }
            }
        }

        if (finished)
        {
            ServiceLog.SinkStopped(logger, engine.RowsLanded, engine.FilesWritten, Interlocked.Read(ref commits));
        }
        else
        {
            ServiceLog.SinkStoppedUnfinished(logger, engine.RowsLanded, engine.FilesWritten, Interlocked.Read(ref commits),
                ServiceStop.Unfinished(loops), (int)ServiceStop.Wait.TotalSeconds);
        }

        return finished;
    }
}
