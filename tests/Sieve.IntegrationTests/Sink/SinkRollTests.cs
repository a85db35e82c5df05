using Sieve.Core.Lake;
using Sieve.Core.Landing;
using Sieve.Testing.EndToEnd;
using Sieve.Testing.Harness;
using Sieve.Testing.Sink;

namespace Sieve.IntegrationTests.Sink;

[Collection(KafkaCollection.Name)]
public sealed class SinkRollTests(KafkaFixture kafka)
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Files_roll_by_the_estimated_size_of_the_buffered_rows()
    {
        using var records = new MinimizedRecords(seed: 13);
        for (int v = 0; v < 2; v++)
        {
            await records.DriveAsync(await records.ConsentingVehicleAsync(), 20);
        }

        using SinkTestBed bed = await SinkTestBed.CreateAsync(kafka, "sink.rollbytes");
        // Neither the row count nor the age can roll a file during this test: only the size can.
        bed.Options.RollRows = 1_000_000;
        bed.Options.RollInterval = TimeSpan.FromHours(1);
        bed.Options.RollBytes = 1_000;
        var delivered = await bed.ProduceAsync(records.Records);
        var estimates = delivered.ToDictionary(d => d.Delivery.TopicPartitionOffset, d => LakeSizeEstimate.Of(d.Value.Length));
        long total = estimates.Values.Sum();
        int largest = estimates.Values.Max();
        Assert.True(total > 8 * bed.Options.RollBytes, "too little input to roll by size: " + total + " bytes");

        await using (RunningSink sink = bed.Start())
        {
            // Less than the threshold stays buffered; everything before it must land although no file is old enough.
            int tail = (int)(bed.Options.RollBytes / estimates.Values.Min()) + 1;
            DateTime deadline = DateTime.UtcNow + Limit;
            while (sink.Engine.RowsLanded < delivered.Count - tail)
            {
                Assert.False(sink.Run.IsCompleted, "the sink stopped");
                Assert.True(DateTime.UtcNow < deadline, "only " + sink.Engine.RowsLanded + " of " + delivered.Count + " rows landed by size within " + Limit.TotalSeconds + " s");
                await Task.Delay(20);
            }

            // A requested stop flushes the rest: what the sink has read. On a loaded machine the last records may not
            // be read yet when the rows before them have landed, so the stop waits until the sink has read to the end.
            await Eventually.UntilAsync(() => bed.Ends.All(end => sink.Engine.Consumer?.Position(end.Key).Value >= end.Value), Limit,
                () => "the sink has not read every record: " + string.Join(", ", bed.Ends.Select(end => end.Key.Partition.Value + ": " + sink.Engine.Consumer?.Position(end.Key).Value + " of " + end.Value)),
                () => Assert.False(sink.Run.IsCompleted, "the sink stopped"));
            await sink.StopAsync();
            Assert.Equal(delivered.Count, sink.Engine.RowsLanded);
        }

        Assert.Equal(delivered.Count, LakeQuery.Scalar("SELECT count(*) FROM " + LakeQuery.All(bed.Root)));
        var ranges = Directory.EnumerateFiles(bed.Root, "*" + LakeFileName.Extension, SearchOption.AllDirectories)
            .Select(f =>
            {
                Assert.True(LakeFileName.TryParse(Path.GetFileName(f), out LakeFileName name), f);
                return name;
            })
            .Distinct().ToList();

        // Each flush wrote at most the threshold plus the message that crossed it, so there were many flushes.
        Assert.True(ranges.Count >= total / (bed.Options.RollBytes + largest), ranges.Count + " ranges for " + total + " bytes");
        foreach (LakeFileName range in ranges)
        {
            long bytes = estimates.Where(e => e.Key.Topic == range.Topic && e.Key.Partition.Value == range.Partition
                && e.Key.Offset.Value >= range.FirstOffset && e.Key.Offset.Value <= range.LastOffset).Sum(e => (long)e.Value);
            Assert.InRange(bytes, 1, bed.Options.RollBytes + largest);
        }
    }

    [Fact]
    public void The_size_estimate_counts_the_avro_body_and_the_coordinate_columns()
    {
        Assert.Equal(100 - LakeSizeEstimate.HeaderBytes + LakeSizeEstimate.RowOverheadBytes, LakeSizeEstimate.Of(100));
        Assert.Equal(LakeSizeEstimate.RowOverheadBytes, LakeSizeEstimate.Of(0));
    }
}
