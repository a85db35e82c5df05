using System.Collections.Concurrent;
using System.Globalization;
using System.Text.RegularExpressions;
using Confluent.Kafka;
using Sieve.Testing.Harness;
using Sieve.Testing.Sink;
using Sieve.Testing;

namespace Sieve.IntegrationTests.Sink;

/// <summary>
/// The Sink service as a real process, killed with SIGKILL at random points of its work and started again: after
/// every kill the lake holds every committed input exactly once, and in the end every input exactly once.
/// </summary>
[Collection(KafkaCollection.Name)]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed partial class SinkProcessCrashTests(KafkaFixture kafka, Xunit.Abstractions.ITestOutputHelper output)
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_sink_process_killed_at_random_points_lands_every_committed_input_exactly_once()
    {
        using var records = new MinimizedRecords(seed: 12);
        var vehicles = new List<string>();
        for (int v = 0; v < 2; v++)
        {
            vehicles.Add(await records.ConsentingVehicleAsync());
        }

        string visitor = await records.ConsentingVisitorAsync();
        using SinkTestBed bed = await SinkTestBed.CreateAsync(kafka, "sink.kill");
        string notices = kafka.UniqueTopic("sink.kill.notices");
        await kafka.CreateTopicAsync(notices, 1);
        string policy = Path.Combine(bed.Root, "..", Path.GetFileName(bed.Root) + "-policy.json");
        // The records are from 2025; a policy keeping everything stops the sweeper from deleting them mid-test.
        await File.WriteAllTextAsync(policy, RetentionValue().Replace(await File.ReadAllTextAsync(
            RepoPaths.DefaultPolicy), "\"retention\": \"36500d\""));
        List<string> arguments = Arguments(bed, notices, policy);

        var partitions = bed.TopicByPurpose.Values.SelectMany(t => Enumerable.Range(0, bed.Partitions).Select(p => new TopicPartition(t, p))).ToList();
        using IConsumer<byte[], byte[]> offsets = new ConsumerBuilder<byte[], byte[]>(KafkaTestClient.ConsumerConfig(kafka.BootstrapServers, bed.Options.GroupId)).Build();
        var random = new Random(20261201);
        int produced = 0;
        int killedMidway = 0;
        try
        {
            for (int iteration = 0; iteration < 5; iteration++)
            {
                int before = records.Records.Count;
                foreach (string vin in vehicles)
                {
                    await records.DriveAsync(vin, 12, MinimizedRecords.Start + (iteration * 14_400_000L));
                }

                await records.VisitAsync(visitor, 4, MinimizedRecords.Start + (iteration * 14_400_000L));
                produced += (await bed.ProduceAsync(records.Records.Skip(before).ToList())).Count;

                // Killed once the lake has grown by a random number of files (so anywhere in a flush, a rename or a
                // commit), or once everything is committed. A run lands about a dozen files (analytics rows, which
                // carry no slowly changing values any more, are small), so the target stays well below that.
                int target = LakeFiles(bed.Root) + random.Next(1, 7);
                var lines = new ConcurrentQueue<string>();
                using (ServiceProcess sink = SinkProcess.Start(arguments, lines))
                {
                    await PollAsync(() => LakeFiles(bed.Root) >= target || CommittedAll(offsets, partitions, bed.Ends), sink, lines, Limit);
                    sink.Kill();
                }

                Dictionary<TopicPartition, long> committed = Committed(offsets, partitions);
                bool all = CommittedAll(offsets, partitions, bed.Ends);
                killedMidway += all ? 0 : 1;
                output.WriteLine("run " + iteration + ": killed " + (all ? "after landing everything" : "at " + LakeFiles(bed.Root) + " files, committed "
                    + committed.Values.Sum() + " of " + produced));
                AssertCommittedInputsLandedOnce(bed.Root, committed);
            }

            var lastLines = new ConcurrentQueue<string>();
            using (ServiceProcess last = SinkProcess.Start(arguments, lastLines))
            {
                // The last run lands what the killed ones left, fsyncing every file: give a loaded machine time.
                await PollAsync(() => CommittedAll(offsets, partitions, bed.Ends), last, lastLines, 2 * Limit);
                last.Kill();
            }

            Assert.True(killedMidway >= 3, "only " + killedMidway + " of 5 runs were killed before landing everything");
            AssertCommittedInputsLandedOnce(bed.Root, Committed(offsets, partitions));
            Assert.Equal(produced, LakeQuery.Scalar("SELECT count(*) FROM " + LakeQuery.All(bed.Root)));
            Assert.Empty(Directory.EnumerateFiles(bed.Root, "*.tmp", SearchOption.AllDirectories));

            // What the Sink service created in the lake is closed to other users: folders 0750, files 0640.
            Assert.All(Directory.EnumerateDirectories(bed.Root, "*", SearchOption.AllDirectories),
                d => Assert.Equal(Sieve.Core.Lake.LakePermissions.FolderMode, File.GetUnixFileMode(d)));
            Assert.All(Directory.EnumerateFiles(bed.Root, "*.parquet", SearchOption.AllDirectories),
                f => Assert.Equal(Sieve.Core.Lake.LakePermissions.FileMode, File.GetUnixFileMode(f)));
        }
        finally
        {
            offsets.Close();
            File.Delete(policy);
        }
    }

    private List<string> Arguments(SinkTestBed bed, string notices, string policy)
    {
        var arguments = new List<string>
        {
            "--Kafka:BootstrapServers=" + kafka.BootstrapServers,
            "--Sink:Root=" + bed.Root,
            "--Sink:GroupId=" + bed.Options.GroupId,
            "--Sink:InstanceId=killed-sink",
            "--Sink:RollRows=40",
            "--Sink:RollSeconds=1",
            "--Sink:ErasureEnabled=false",
            "--Topics:ErasureNotices=" + notices,
            "--Topics:Quarantine=" + bed.QuarantineTopic,
            "--Policy:Path=" + policy,
        };
        foreach (KeyValuePair<string, string> topic in bed.TopicByPurpose)
        {
            arguments.Add("--Sink:Topics:" + topic.Key + "=" + topic.Value);
        }

        foreach (KeyValuePair<string, string> property in bed.Options.KafkaProperties)
        {
            arguments.Add("--Kafka:Properties:" + property.Key + "=" + property.Value);
        }

        // A killed member may be caught mid-rebalance; the group waits at most this long (the rebalance timeout)
        // for it before going on without it.
        arguments.Add("--Kafka:Properties:max.poll.interval.ms=10000");

        return arguments;
    }

    private static async Task PollAsync(Func<bool> condition, ServiceProcess sink, ConcurrentQueue<string> lines, TimeSpan limit)
    {
        DateTime deadline = DateTime.UtcNow + limit;
        while (!condition())
        {
            sink.ThrowIfExited(lines);
            Assert.True(DateTime.UtcNow < deadline, "The sink process did not get there within " + limit.TotalSeconds + " s; its last output:"
                + Environment.NewLine + string.Join(Environment.NewLine, lines.TakeLast(30)));
            await Task.Delay(10);
        }
    }

    private static int LakeFiles(string root) => Directory.EnumerateFiles(root, "*.parquet", SearchOption.AllDirectories).Count();

    private static Dictionary<TopicPartition, long> Committed(IConsumer<byte[], byte[]> offsets, List<TopicPartition> partitions) =>
        offsets.Committed(partitions, TimeSpan.FromSeconds(10)).ToDictionary(o => o.TopicPartition, o => o.Offset.Value < 0 ? 0 : o.Offset.Value);

    private static bool CommittedAll(IConsumer<byte[], byte[]> offsets, List<TopicPartition> partitions, Dictionary<TopicPartition, long> ends)
    {
        Dictionary<TopicPartition, long> committed = Committed(offsets, partitions);
        return ends.All(e => committed.GetValueOrDefault(e.Key) >= e.Value);
    }

    /// <summary>
    /// Every input below a partition's committed offset is in the lake exactly once, and no row is there twice
    /// (rows of a range published but not yet committed may be there too: the next start resumes after them).
    /// </summary>
    private static void AssertCommittedInputsLandedOnce(string root, Dictionary<TopicPartition, long> committed)
    {
        if (LakeFiles(root) == 0)
        {
            Assert.All(committed.Values, c => Assert.Equal(0, c));
            return;
        }

        object?[] counts = LakeQuery.Rows("SELECT count(*), count(DISTINCT (_topic, _partition, _offset)) FROM " + LakeQuery.All(root))[0];
        Assert.Equal(counts[0], counts[1]);
        foreach ((TopicPartition partition, long through) in committed)
        {
            long landed = LakeQuery.Scalar(string.Create(CultureInfo.InvariantCulture,
                $"SELECT count(*) FROM {LakeQuery.All(root)} WHERE _topic = '{partition.Topic}' AND _partition = {partition.Partition.Value} AND _offset < {through}"));
            Assert.Equal(through, landed);
        }
    }

    [GeneratedRegex("\"retention\": \"\\d+d\"")]
    private static partial Regex RetentionValue();
}
