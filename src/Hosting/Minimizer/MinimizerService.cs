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
/// validated at start-up. A stop finishes and commits the batch in flight and leaves the consumer groups.
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

        await using RedisConsentStore store = await RedisConsentStore.ConnectAsync(
            settings.ConsentStore,
            logger: loggers.CreateLogger<RedisConsentStore>()).ConfigureAwait(false);
        using SchemaRegistryBinding? registry = SchemaRegistryBinding.Connect(settings.SchemaRegistry);
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
            return;
        }

        using MinimizerPipeline pipeline = builder.Build();
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

        var tasks = new List<Task>
        {
            // The engine's loop blocks in librdkafka calls; give it a thread of its own.
            Task.Factory.StartNew(() => engine.RunAsync(stoppingToken), stoppingToken, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap(),
        };
        if (pipeline.Release.HasWork)
        {
            tasks.Add(Task.Factory.StartNew(() => pipeline.Release.RunAsync(stoppingToken), stoppingToken, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap());
        }

        if (pipeline.Loader is ConsentLoader loader)
        {
            tasks.Add(Task.Factory.StartNew(() => loader.RunAsync(stoppingToken), stoppingToken, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap());
        }

        try
        {
            // A loop that ends before the service is stopped has failed: the process must not run on with the other
            // one alone (e.g. a loader keeping the process alive while nothing is minimized), so it stops with an error.
            Task ended = await Task.WhenAny(tasks).ConfigureAwait(false);
            if (!stoppingToken.IsCancellationRequested)
            {
                string loop = ended == tasks[0] ? "engine" : pipeline.Release.HasWork && ended == tasks[1] ? "release stage" : "consent loader";
                Exception? failure = ended.Exception?.GetBaseException();
                logger.LogCritical("The minimizer's {Loop} stopped ({ExceptionType}: {Message}); stopping the service", loop,
                    failure?.GetType().Name ?? "no exception", failure?.Message ?? "it returned");
                Environment.ExitCode = 1;
                lifetime.StopApplication();
                tasks.Remove(ended);
            }

            await Task.WhenAll(tasks).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        ServiceLog.MinimizerStopped(logger, engine.Stats.Batches, engine.Stats.Inputs, engine.Stats.QuarantinedTotal);
    }
}
