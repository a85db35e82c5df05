using Sieve.Testing.EndToEnd;
using Sieve.Testing.Harness;
using Sieve.Testing.Sink;

namespace Sieve.IntegrationTests.Sink;

/// <summary>The lake's disk full, then read-only, for real (a tmpfs over the lake folder): the Sink holds and retries, and lands everything once afterwards.</summary>
[Collection(KafkaCollection.Name)]
public sealed class LakeDiskFaultTests(KafkaFixture kafka, Xunit.Abstractions.ITestOutputHelper output)
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_full_and_then_a_read_only_lake_disk_holds_the_sink_and_afterwards_every_record_lands_exactly_once()
    {
        using var records = new MinimizedRecords(seed: 31);
        var vehicles = new List<string>();
        for (int v = 0; v < 3; v++)
        {
            vehicles.Add(await records.ConsentingVehicleAsync());
        }

        using SinkTestBed bed = await SinkTestBed.CreateAsync(kafka, "sink.disk");
        bed.Options.RollRows = 23;
        using TmpfsMount disk = TmpfsMount.Mount(bed.Root, "4k");
        int produced = await ProduceAsync(records, bed, vehicles, 0);

        // Full: one page of disk holds no Parquet file of this size. Nothing is committed while flushes fail.
        await using RunningSink sink = bed.Start();
        await Eventually.UntilAsync(() => sink.Engine.FlushFailures >= 2, Limit, () => "no failed flush on a full disk");
        Assert.Equal(0, sink.Engine.RowsLanded);
        disk.Remount("size=64m");
        await sink.WaitUntilLandedAsync(Limit);
        long failuresWhenFull = sink.Engine.FlushFailures;

        // Read-only: new input waits until the disk is writable again.
        disk.Remount("ro");
        produced += await ProduceAsync(records, bed, vehicles, 1);
        await Eventually.UntilAsync(() => sink.Engine.FlushFailures > failuresWhenFull + 1, Limit, () => "no failed flush on a read-only disk");
        disk.Remount("rw");
        await sink.WaitUntilLandedAsync(Limit);
        await sink.StopAsync();

        output.WriteLine($"{produced} records; failed flushes: {failuresWhenFull} while full, {sink.Engine.FlushFailures - failuresWhenFull} while read-only");
        object?[] counts = LakeQuery.Rows("SELECT count(*), count(DISTINCT (_topic, _partition, _offset)) FROM " + LakeQuery.All(bed.Root))[0];
        Assert.Equal((long)produced, Convert.ToInt64(counts[0], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(counts[0], counts[1]);
        Assert.Empty(Directory.EnumerateFiles(bed.Root, "*.tmp", SearchOption.AllDirectories));
    }

    private static async Task<int> ProduceAsync(MinimizedRecords records, SinkTestBed bed, List<string> vehicles, int round)
    {
        int before = records.Records.Count;
        foreach (string vin in vehicles)
        {
            await records.DriveAsync(vin, 30, MinimizedRecords.Start + (round * 7_200_000L));
        }

        // Quality's rows are a few bytes each: a file of them would fit the one page the full disk has left.
        return (await bed.ProduceAsync(records.Records.Skip(before).Where(r => r.Purpose != "quality").ToList())).Count;
    }
}
