using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Sieve.Core.Consent;
using Sieve.Core.Engine;
using Sieve.Core.Metrics;
using Sieve.Core.Registry;
using Sieve.Hosting.Observability;

namespace Sieve.Hosting.Minimizer;

/// <summary>
/// Hosts the minimizer engine and the consent loader in one process, on settings that <see cref="MinimizerHost"/>
/// validated at start-up. A stop finishes and commits the batch in flight and leaves the consumer groups, waiting at
/// most <see cref="ServiceStop.Wait"/> for Kafka.
/// </summary>
public sealed class MinimizerService(MinimizerSettings settings, MinimizerMetrics metrics, ILoggerFactory loggers, IHostApplicationLifetime lifetime) : BackgroundService
{
    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        ILogger logger = loggers.CreateLogger("Sieve.Minimizer");
        if (settings.Keys.IsDemo)
        {
            logger.LogWarning("Running on the built-in demo master key: pseudonyms are not secret. Never use it for real data.");
        }

        RedisConsentStore store = await RedisConsentStore.ConnectAsync(
            settings.ConsentStore,
            logger: loggers.CreateLogger<RedisConsentStore>()).ConfigureAwait(false);
        SchemaRegistryBinding? registry = null;
        bool finished = true;
        try
        {
            registry = SchemaRegistryBinding.Connect(settings.SchemaRegistry);
            finished = await RunAsync(store, registry, logger, stoppingToken).ConfigureAwait(false);
        }
        finally
        {
            // The loops still blocked in a Kafka call use the consent store and the registry too.
            if (finished)
            {
                registry?.Dispose();
                await store.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    // Builds the pipeline and runs it; false when some loop did not finish within ServiceStop.Wait of the stop.
    private async Task<bool> RunAsync(RedisConsentStore store, SchemaRegistryBinding? registry, ILogger logger, CancellationToken stoppingToken)
    {
        MinimizerPipelineBuilder builder = MinimizerServicePipeline.Builder(settings, store, loggers, metrics, registry);
        try
        {
            await builder.RegisterSchemasAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SchemaRegistryMismatchException or SchemaRegistryUnavailableException)
        {
            // One line, then a stop: nothing is written to a subject that would not accept it.
            logger.LogCritical("{Problem}", e.Message);
            Environment.ExitCode = 1;
            lifetime.StopApplication();
            return true;
        }

        MinimizerPipeline pipeline = builder.Build();
        bool finished = true;
        try
        {
            finished = await RunLoopsAsync(pipeline, logger, stoppingToken).ConfigureAwait(false);
        }
        finally
        {
            // A loop still blocked in a Kafka call uses the pipeline's clients: they are left to the process's exit.
            if (finished)
            {
                pipeline.Dispose();
            }
        }

        return finished;
    }

    // Runs the loops until the service is stopped; false when some did not finish within ServiceStop.Wait of the stop.
    private async Task<bool> RunLoopsAsync(MinimizerPipeline pipeline, ILogger logger, CancellationToken stoppingToken)
    {
        MinimizerEngine engine = pipeline.Engine;

        // A Kafka call blocked past its own timeout cannot be cancelled: stop with an error so the supervisor starts
        // a new process (the watchdog logged which call). If the host cannot stop because that call holds a loop,
        // the process exits once the shutdown timeout is over.
        pipeline.Watchdog.Stalled += (_, _) =>
        {
            Environment.ExitCode = 1;
            lifetime.StopApplication();
            _ = Task.Delay(MinimizerHost.ShutdownTimeout + TimeSpan.FromSeconds(5), CancellationToken.None)
                .ContinueWith(static _ => Environment.Exit(1), TaskScheduler.Default);
        };
        logger.LogInformation("Policy {Version} from {Source}: purposes {Purposes}", settings.Policy.PolicyVersion, settings.Policy.Source,
            string.Join(", ", settings.Policy.Purposes.Select(p => p.Name + "->" + p.Topic)));

        var loops = new List<(string Name, Task Loop)>
        {
            // The engine's loop blocks in librdkafka calls; give it a thread of its own.
            ("engine", Task.Factory.StartNew(() => engine.RunAsync(stoppingToken), stoppingToken, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap()),
        };
        if (pipeline.Release.HasWork)
        {
            loops.Add(("release stage", Task.Factory.StartNew(() => pipeline.Release.RunAsync(stoppingToken), stoppingToken, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap()));
        }

        if (pipeline.Loader is ConsentLoader loader)
        {
            loops.Add(("consent loader", Task.Factory.StartNew(() => loader.RunAsync(stoppingToken), stoppingToken, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap()));
        }

        bool finished = true;
        try
        {
            finished = await ServiceStop.RunAsync(loops, "minimizer", logger, lifetime, stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        if (finished)
        {
            ServiceLog.MinimizerStopped(logger, engine.Stats.Batches, engine.Stats.Inputs, engine.Stats.QuarantinedTotal);
        }
        else
        {
            ServiceLog.MinimizerStoppedUnfinished(logger, engine.Stats.Batches, engine.Stats.Inputs, engine.Stats.QuarantinedTotal,
                ServiceStop.Unfinished(loops), (int)ServiceStop.Wait.TotalSeconds);
        }

        return finished;
    }
}
