using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Sieve.Contracts.Pseudonymization;
using Sieve.Minimizer.Consent;
using Sieve.Minimizer.Kafka;
using Sieve.Minimizer.Pipeline;

namespace Sieve.Minimizer.Hosting;

/// <summary>
/// Hosts the minimizer engine and the consent loader in one process. Configuration errors stop the process with
/// exit code 2 and one line naming the key at fault.
/// </summary>
public sealed class MinimizerService(IConfiguration configuration, ILoggerFactory loggers, IHostApplicationLifetime lifetime) : BackgroundService
{
    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        ILogger logger = loggers.CreateLogger("Sieve.Minimizer");
        MinimizerSettings settings;
        try
        {
            settings = MinimizerSettings.From(configuration);
        }
        catch (Exception e) when (e is SettingsException or Policy.PolicyValidationException or KeyRingException)
        {
            logger.LogCritical("Configuration error: {Message}", e.Message);
            Environment.ExitCode = 2;
            lifetime.StopApplication();
            return;
        }

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
