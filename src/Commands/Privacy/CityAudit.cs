using System.Globalization;
using Sieve.Contracts.Pseudonymization;
using Sieve.Core.Engine;
using Sieve.Core.Policy;
using Sieve.Core.Privacy;
using Sieve.Embedded;
using Sieve.Simulation.Mobility;

namespace Sieve.Commands.Privacy;

/// <summary>What <see cref="CityAudit.RunAsync"/> measured.</summary>
/// <param name="Report">The attack suite's figures.</param>
/// <param name="Run">The run through the Minimizer.</param>
/// <param name="Reader">What was read back from the purpose's topic.</param>
/// <param name="Data">The release as measured, with ground truth.</param>
internal sealed record CityAuditResult(PrivacyReport Report, CityRunResult Run, ReleaseReader Reader, ReleasedDataset Data);

/// <summary>
/// One simulated day of a city, nobody consenting, through the real Minimizer (both stages) over an embedded mock
/// cluster of its own, read back from the purpose's topic and measured by the attack suite with the city's ground
/// truth. <c>sieve privacy --simulate</c> runs it, and <c>sieve demo</c> ends with it.
/// </summary>
internal static class CityAudit
{
    /// <summary>Partitions of the raw telematics and pending topics (the mock keeps 5 MiB a partition).</summary>
    public const int Partitions = 16;

    /// <summary>Runs the day and measures it; <paramref name="say"/> is told each step.</summary>
    public static async Task<CityAuditResult> RunAsync(CompiledPolicy policy, PurposePlan plan, CityProfile profile, int seed, Action<string> say, CancellationToken cancellationToken)
    {
        CultureInfo c = CultureInfo.InvariantCulture;
        (int precision, long bucketMillis) = PrivacyCommand.Generalization(plan);
        var city = new MobilitySimulator(profile, seed);
        var identities = new MobilityRecords(seed);
        var data = new ReleasedDataset(bucketMillis, profile.UtcOffsetMinutes);
        SimulatedTruth truth = SimulatedTruth.Build(city, identities, new PseudonymKeyFactory(MasterKeyRing.CreateDemo()), plan.Name,
            plan.Rotation == PseudonymRotation.DailyUtc, precision, data);
        var reader = new ReleaseReader(data, truth);
        say(string.Create(c, $"simulating one day of the {profile.Name} city ({profile.Vehicles:N0} vehicles, seed {seed}, nobody consenting) through the Minimizer over the embedded Kafka mock cluster"));
        CityRunResult run = await SimulateAsync(policy, plan, city, identities, reader, truth, cancellationToken).ConfigureAwait(false);
        say(string.Create(c, $"{run.Produced:N0} raw telematics records in, {run.Inputs:N0} committed by the Minimizer, {reader.Measured:N0} {plan.Name} records read from {plan.Topic} in {run.Elapsed.TotalSeconds:0.0} s; {run.IdleFlushesWhileProducing:N0} idle flushes while producing")
            + (reader.Unattributed > 0 ? string.Create(c, $"; {reader.Unattributed:N0} under a pseudonym of no simulated vehicle") : ""));
        if (reader.Measured == 0)
        {
            ThrowHelper.Failure($"the {plan.Name} release holds no telematics record with a cell to measure");
        }

        string label = string.Create(c, $"{plan.Name} release of the {profile.Name} city, {profile.Vehicles:N0} vehicles, seed {seed}, one day, through the Minimizer");
        PrivacyReport report = PrivacyAudit.Measure(data, new PrivacyAuditOptions { Label = label, Seed = seed },
            (measure, took) => say(string.Create(c, $"measured {measure} in {took.TotalSeconds:0.0} s")));
        return new CityAuditResult(report, run, reader, data);
    }

    private static async Task<CityRunResult> SimulateAsync(CompiledPolicy policy, PurposePlan plan, MobilitySimulator city, MobilityRecords identities, ReleaseReader reader,
        SimulatedTruth truth, CancellationToken cancellationToken)
    {
        using MockKafkaCluster kafka = MockKafkaCluster.Start(brokers: 1);
        kafka.SetGroupInitialRebalanceDelay(TimeSpan.Zero);
        var topics = new TopicOptions();
        kafka.CreateTopic(topics.TelematicsRaw, Partitions);
        kafka.CreateTopic(topics.WifiRaw, 1);
        kafka.CreateTopic(topics.ConsentChanges, 1);
        kafka.CreateTopic(topics.Quarantine, 1);
        kafka.CreateTopic(topics.Audit, 1);
        foreach (PurposePlan purpose in policy.Purposes)
        {
            // A release stage forwards a bucket's records at once: more partitions keep the burst within the mock's
            // 5 MiB a partition until it is read.
            kafka.CreateTopic(purpose.Topic, purpose.Anonymization is null ? Partitions : 4 * Partitions);
            if (purpose.Anonymization is { } anonymization)
            {
                kafka.CreateTopic(anonymization.PendingTopic, Partitions);
            }
        }

        return await CityRun.RunAsync(kafka.BootstrapServers, policy, topics, plan.Topic, city, identities, reader, "cli", cancellationToken, truth).ConfigureAwait(false);
    }
}
