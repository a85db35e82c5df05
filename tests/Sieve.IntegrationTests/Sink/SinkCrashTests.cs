using Confluent.Kafka;
using Sieve.Core.Landing;
using Sieve.Testing.Harness;
using Sieve.Testing.Sink;

namespace Sieve.IntegrationTests.Sink;

[Collection(KafkaCollection.Name)]
public sealed class SinkCrashTests(KafkaFixture kafka, Xunit.Abstractions.ITestOutputHelper output)
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    /// <summary>Thrown by the fault hook: the engine stops where it is, like a killed process (nothing flushed, closed or committed).</summary>
    private sealed class SimulatedCrash : Exception;

    private static readonly SinkFaultPoint[] Targets = [SinkFaultPoint.AfterTempWritten, SinkFaultPoint.AfterPublish, SinkFaultPoint.AfterCommit];

    [Fact]
    public async Task A_sink_stopped_at_random_points_of_its_flushes_lands_every_record_exactly_once()
    {
        using var records = new MinimizedRecords(seed: 11);
        var vehicles = new List<string>();
        for (int v = 0; v < 3; v++)
        {
            vehicles.Add(await records.ConsentingVehicleAsync());
        }

        string visitor = await records.ConsentingVisitorAsync();
        using SinkTestBed bed = await SinkTestBed.CreateAsync(kafka, "sink.crash");
        bed.Options.RollRows = 23;
        var random = new Random(20251125);
        int produced = 0;
        int crashes = 0;
        var points = new List<SinkFaultPoint>();

        for (int iteration = 0; iteration < 6; iteration++)
        {
            // New input arrives between runs, so later runs have flushes to be stopped in.
            int before = records.Records.Count;
            foreach (string vin in vehicles)
            {
                await records.DriveAsync(vin, 8, MinimizedRecords.Start + (iteration * 7_200_000L));
            }

            await records.VisitAsync(visitor, 3, MinimizedRecords.Start + (iteration * 7_200_000L));
            produced += (await bed.ProduceAsync(records.Records.Skip(before).ToList())).Count;

            // Each run aims at one kind of point in turn, at a random occurrence of it, so every kind is stopped at
            // whatever the sizes of the flushes are.
            SinkFaultPoint target = Targets[iteration % Targets.Length];
            int crashAt = random.Next(1, 3);
            int seen = 0;
            await using RunningSink sink = bed.Start(point =>
            {
                if (point == target && ++seen == crashAt)
                {
                    points.Add(point);
                    throw new SimulatedCrash();
                }
            });

            Task landed = sink.WaitUntilLandedAsync(Limit);
            await Task.WhenAny(landed, sink.Run);
            if (sink.Run.IsFaulted)
            {
                Assert.IsType<SimulatedCrash>(sink.Run.Exception!.InnerException);
                crashes++;
            }
            else
            {
                await landed;
            }

            output.WriteLine("run " + iteration + ": " + (sink.Run.IsFaulted ? "stopped at " + points[^1] : "landed everything"));

            // Whatever the lake holds at any moment has no row twice.
            AssertNoDuplicates(bed);
        }

        await using (RunningSink last = bed.Start())
        {
            await last.WaitUntilLandedAsync(Limit);
            await last.StopAsync();
        }

        Assert.True(crashes >= 3, "only " + crashes + " runs were stopped mid-flush");
        Assert.Contains(SinkFaultPoint.AfterTempWritten, points);
        Assert.Contains(SinkFaultPoint.AfterPublish, points);
        Assert.Equal(produced, LakeQuery.Scalar("SELECT count(*) FROM " + LakeQuery.All(bed.Root)));
        AssertNoDuplicates(bed);
        Assert.Empty(Directory.EnumerateFiles(bed.Root, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task A_sink_stopped_between_publishing_and_committing_commits_the_recovered_position_without_new_input()
    {
        using var records = new MinimizedRecords(seed: 12);
        string vin = await records.ConsentingVehicleAsync();
        using SinkTestBed bed = await SinkTestBed.CreateAsync(kafka, "sink.recommit");
        await records.DriveAsync(vin, 12, MinimizedRecords.Start);
        int produced = (await bed.ProduceAsync(records.Records)).Count;

        // The files are published, then the process dies before it commits: the lake is ahead of the group.
        await using (RunningSink crashed = bed.Start(point =>
        {
            if (point == SinkFaultPoint.BeforeCommit)
            {
                throw new SimulatedCrash();
            }
        }))
        {
            await Assert.ThrowsAsync<SimulatedCrash>(() => crashed.Run);
        }

        List<TopicPartition> partitions = [.. bed.Ends.Keys];
        using IConsumer<byte[], byte[]> offsets = new ConsumerBuilder<byte[], byte[]>(
            KafkaTestClient.ConsumerConfig(bed.Kafka.BootstrapServers, bed.Options.GroupId)).Build();
        Assert.False(CommittedThroughEnds(offsets, partitions, bed.Ends), "the crash came after the commit");

        // No input arrives after the restart. Recovery resumes after the published files, and the group's committed
        // offsets must follow it, or the partition looks unfinished (and lagging) until new input comes.
        await using RunningSink restarted = bed.Start();
        DateTime deadline = DateTime.UtcNow + Limit;
        while (!CommittedThroughEnds(offsets, partitions, bed.Ends))
        {
            Assert.True(DateTime.UtcNow < deadline, "the restarted sink never committed the recovered position");
            Assert.False(restarted.Run.IsCompleted, "the restarted sink stopped");
            await Task.Delay(100);
        }

        await restarted.StopAsync();
        Assert.Equal(produced, LakeQuery.Scalar("SELECT count(*) FROM " + LakeQuery.All(bed.Root)));
        AssertNoDuplicates(bed);
    }

    private static bool CommittedThroughEnds(IConsumer<byte[], byte[]> offsets, List<TopicPartition> partitions, Dictionary<TopicPartition, long> ends)
    {
        Dictionary<TopicPartition, long> committed = offsets.Committed(partitions, TimeSpan.FromSeconds(10))
            .ToDictionary(o => o.TopicPartition, o => o.Offset.Value);
        return ends.All(e => committed.GetValueOrDefault(e.Key, -1) >= e.Value);
    }

    private static void AssertNoDuplicates(SinkTestBed bed)
    {
        if (!Directory.EnumerateFiles(bed.Root, "*.parquet", SearchOption.AllDirectories).Any())
        {
            return;
        }

        object?[] counts = LakeQuery.Rows("SELECT count(*), count(DISTINCT (_topic, _partition, _offset)) FROM " + LakeQuery.All(bed.Root))[0];
        Assert.Equal(counts[0], counts[1]);
    }
}
