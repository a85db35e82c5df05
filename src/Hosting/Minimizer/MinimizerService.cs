using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Sieve.Contracts.Pseudonymization;
using Sieve.Core.Consent;
using Sieve.Core.Engine;
using Sieve.Core.Metrics;
using Sieve.Core.Pipeline;

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
        using var cache = new ConsentCache(store, settings.Cache);
        var keyFactory = new PseudonymKeyFactory(settings.Keys);
        using var core = new MinimizerCore(settings.Policy, keyFactory, cache, settings.Engine.SubjectCacheCapacity);
        using var engine = new MinimizerEngine(settings.Engine, core, cache, loggers.CreateLogger<MinimizerEngine>());
        metrics.Attach(engine, cache, core, settings.Engine.Topics);
        logger.LogInformation("Policy {Version} from {Source}: purposes {Purposes}", settings.Policy.PolicyVersion, settings.Policy.Source,
            string.Join(", ", settings.Policy.Purposes.Select(p => p.Name + "->" + p.Topic)));

        var tasks = new List<Task>
        {
            // The engine's loop blocks in librdkafka calls; give it a thread of its own.
            Task.Factory.StartNew(() => engine.RunAsync(stoppingToken), stoppingToken, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap(),
        };
        if (settings.LoaderEnabled)
        {
            var loaderOptions = new ConsentLoaderOptions
            {
                BootstrapServers = settings.Engine.BootstrapServers,
                Topic = settings.Engine.Topics.ConsentChanges,
                GroupId = settings.LoaderGroupId,
            };
            foreach (KeyValuePair<string, string> pair in settings.Engine.KafkaProperties)
            {
                loaderOptions.ConsumerSettings[pair.Key] = pair.Value;
            }

            var loader = new ConsentLoader(loaderOptions, store, keyFactory, loggers.CreateLogger<ConsentLoader>());
            tasks.Add(Task.Factory.StartNew(() => loader.RunAsync(stoppingToken), stoppingToken, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap());
        }

        try
        {
            // A loop that ends before the service is stopped has failed: the process must not run on with the other
            // one alone (e.g. a loader keeping the process alive while nothing is minimized), so it stops with an error.
            Task ended = await Task.WhenAny(tasks).ConfigureAwait(false);
            if (!stoppingToken.IsCancellationRequested)
            {
                string loop = ended == tasks[0] ? "engine" : "consent loader";
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
    }
}
