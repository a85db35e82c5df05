using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Sieve.Sink.Erasure;
using Sieve.Sink.Lake;
using Sieve.Sink.Landing;
using Sieve.Sink.Metrics;

namespace Sieve.Sink.Hosting;

/// <summary>
/// Hosts the sink engine in one process. Configuration errors stop the process with exit code 2 and one line
/// naming the key at fault.
/// </summary>
public sealed class SinkService(IConfiguration configuration, ILoggerFactory loggers, IHostApplicationLifetime lifetime, SinkMetrics metrics) : BackgroundService
{
    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        ILogger logger = loggers.CreateLogger("Sieve.Sink");
        SinkSettings settings;
        try
        {
            settings = SinkSettings.From(configuration);
        }
        catch (SinkSettingsException e)
        {
            logger.LogCritical("Configuration error: {Message}", e.Message);
            Environment.ExitCode = 2;
            lifetime.StopApplication();
            return;
        }

        Directory.CreateDirectory(settings.Engine.Root);
        var erased = new ErasedSubjects();
        erased.MarkReady();
        using var gate = new LakeGate();
        using var engine = new SinkEngine(settings.Engine, settings.Tables, erased, gate, metrics, loggers.CreateLogger<SinkEngine>());
        try
        {
            await Task.Factory.StartNew(() => engine.RunAsync(stoppingToken), stoppingToken, TaskCreationOptions.LongRunning, TaskScheduler.Default)
                .Unwrap().ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
