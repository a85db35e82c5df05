using Confluent.Kafka;
using Sieve.Contracts.Pseudonymization;
using Sieve.Contracts.Records;
using Sieve.Core.Anonymization;
using Sieve.Core.Consent;
using Sieve.Core.Pipeline;
using Sieve.Core.Engine;
using Sieve.Core.Policy;
using Sieve.Simulation.Mobility;

namespace Sieve.Commands.Privacy;

/// <summary>What one run of the city through the Minimizer did.</summary>
/// <param name="Produced">Raw telematics records produced.</param>
/// <param name="Inputs">Inputs the Minimizer committed.</param>
/// <param name="Elapsed">From the first record produced to the purpose topic read to its end.</param>
/// <param name="IdleFlushesWhileProducing">Release-stage rounds that treated a quiet partition as complete before the last record was produced (<see cref="ReleaseEngine.IdleFlushes"/>).</param>
internal sealed record CityRunResult(long Produced, long Inputs, TimeSpan Elapsed, long IdleFlushesWhileProducing);

/// <summary>
/// Drives one simulated day of a city through the real Minimizer (<see cref="MinimizerPipelineBuilder"/>, exactly-once)
/// over a Kafka cluster, with nobody consenting, while a <see cref="ReleaseReader"/> reads a purpose topic. Raw records
/// go out in time order, at most <see cref="MaxInFlight"/> ahead of what the Minimizer committed, so that a mock
/// cluster's per-partition retention never drops an input the Minimizer has not read.
/// </summary>
internal static class CityRun
{
    /// <summary>Raw records produced but not yet committed by the Minimizer, at most.</summary>
    public const int MaxInFlight = 50_000;

    private static readonly TimeSpan DrainTimeout = TimeSpan.FromMinutes(10);

    /// <summary>Runs the city; returns when the purpose topic <paramref name="purposeTopic"/> is read to its end.</summary>
    public static async Task<CityRunResult> RunAsync(string bootstrapServers, CompiledPolicy policy, TopicOptions topics, string purposeTopic,
        MobilitySimulator city, MobilityRecords identities, ReleaseReader reader, string name, CancellationToken cancellationToken, ISegmentObserver? observer = null)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        using MinimizerPipeline pipeline = Pipeline(bootstrapServers, policy, topics, name, observer).Build();
        MinimizerEngine engine = pipeline.Engine;
        ReleaseEngine release = pipeline.Release;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task engineTask = Task.Factory.StartNew(() => engine.RunAsync(stop.Token), stop.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
        Task releaseTask = Task.Factory.StartNew(() => release.RunAsync(stop.Token), stop.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
        long produced = 0;
        bool done = false;
        Task readerTask = Task.Factory.StartNew(
            () => reader.ReadTopic(bootstrapServers, purposeTopic, null, () => Volatile.Read(ref done), DrainTimeout, stop.Token),
            stop.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        try
        {
            var vehicles = new VehicleIdentity[city.VehicleCount];
            for (int v = 0; v < vehicles.Length; v++)
            {
                vehicles[v] = identities.Vehicle(v);
            }

            using (IProducer<byte[], byte[]> producer = new ProducerBuilder<byte[], byte[]>(new ProducerConfig
            {
                BootstrapServers = bootstrapServers,
                EnableIdempotence = true,
                Acks = Acks.All,
                LingerMs = 5,
                ClientId = "sieve-privacy-city",
            }).Build())
            {
                foreach (MobilitySample sample in city.SamplesInTimeOrder())
                {
                    // Raw records ahead of the Minimizer, and released records ahead of the reader, are both bounded.
                    while (produced - engine.Stats.Inputs >= MaxInFlight || release.Stats.Total(Outcome.Forwarded) - reader.Measured >= MaxInFlight)
                    {
                        ThrowIfEnded(engineTask, readerTask);
                        producer.Poll(TimeSpan.FromMilliseconds(10));
                        await Task.Delay(10, cancellationToken).ConfigureAwait(false);
                    }

                    RawMessage message = MobilityRecords.TelematicsMessage(sample, vehicles[sample.Vehicle]);
                    KafkaBackpressure.Produce(producer, topics.TelematicsRaw, new Message<byte[], byte[]> { Key = message.Key, Value = message.Value });
                    produced++;
                }

                producer.Flush(cancellationToken);
            }

            DateTime deadline = DateTime.UtcNow + DrainTimeout;
            while (engine.Stats.Inputs < produced)
            {
                ThrowIfEnded(engineTask, readerTask);
                if (DateTime.UtcNow > deadline)
                {
                    ThrowHelper.Failure($"the Minimizer committed {engine.Stats.Inputs} of {produced} inputs within {DrainTimeout.TotalMinutes:0} minutes");
                }

                await Task.Delay(20, cancellationToken).ConfigureAwait(false);
            }

            // The input has ended: the release stage decides everything it holds.
            long idleWhileProducing = release.IdleFlushes;
            release.CompleteInput();
            long held = engine.Stats.Total(Outcome.HeldForRelease);
            while (release.Stats.Inputs < held)
            {
                ThrowIfEnded(engineTask, readerTask);
                ThrowIfEnded(releaseTask, readerTask);
                if (DateTime.UtcNow > deadline)
                {
                    ThrowHelper.Failure($"the release stage committed {release.Stats.Inputs} of {held} held records within {DrainTimeout.TotalMinutes:0} minutes");
                }

                await Task.Delay(20, cancellationToken).ConfigureAwait(false);
            }

            Volatile.Write(ref done, true);
            await readerTask.ConfigureAwait(false);
            return new CityRunResult(produced, engine.Stats.Inputs, started.Elapsed, idleWhileProducing);
        }
        finally
        {
            Volatile.Write(ref done, true);
            await stop.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(engineTask.ContinueWith(_ => { }, TaskScheduler.Default), releaseTask.ContinueWith(_ => { }, TaskScheduler.Default),
                readerTask.ContinueWith(_ => { }, TaskScheduler.Default)).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The run's minimizer: the production pipeline (demo master key, exactly-once) on the run's topics, with an empty
    /// in-process consent store and no consent loader (nobody consents), and batches that wait at most 20 ms as in the demo.
    /// </summary>
    internal static MinimizerPipelineBuilder Pipeline(string bootstrapServers, CompiledPolicy policy, TopicOptions topics, string name, ISegmentObserver? observer = null) =>
        new(new InMemoryConsentStore(), policy, new PseudonymKeyFactory(MasterKeyRing.CreateDemo()))
        {
            BootstrapServers = bootstrapServers,
            GroupId = "sieve-privacy-" + name,
            InstanceId = "privacy-" + name,
            Delivery = DeliveryMode.ExactlyOnce,
            Topics = topics,
            Options = MinimizerPipelineOptions.Production with { BatchMaxWaitMs = 20 },
            // A day replayed in minutes: a two-second pause is many simulated minutes, so nothing is decided for being
            // quiet; the run says when its input has ended instead.
            Release = new ReleaseOptions { IdleFlushMs = ReleaseOptions.Never },
            SegmentObserver = observer,
        };

    private static void ThrowIfEnded(Task engineTask, Task readerTask)
    {
        if (engineTask.IsCompleted)
        {
            engineTask.GetAwaiter().GetResult();
            ThrowHelper.Failure("the Minimizer stopped before the city was processed");
        }

        if (readerTask.IsCompleted)
        {
            readerTask.GetAwaiter().GetResult();
            ThrowHelper.Failure("the purpose topic's reader stopped before the city was processed");
        }
    }
}
