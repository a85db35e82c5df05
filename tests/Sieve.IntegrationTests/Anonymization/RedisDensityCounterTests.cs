using Sieve.Core.Anonymization;
using Sieve.Core.Privacy;
using Sieve.Testing.Consent;
using StackExchange.Redis;

namespace Sieve.IntegrationTests.Anonymization;

/// <summary>
/// The fleet-wide density count in a real redis-server: what k rests on. Each test uses its own key prefix.
/// </summary>
public sealed class RedisDensityCounterTests(ConsentRedisServer server) : IClassFixture<ConsentRedisServer>
{
    private const long Bucket = 1_764_028_800_000;

    [Fact]
    public async Task Fewer_distinct_vehicles_than_k_never_count_as_k_however_they_hash()
    {
        // A HyperLogLog could only break k by counting more vehicles than there are; at these sizes it never does.
        using ConnectionMultiplexer redis = await ConnectionMultiplexer.ConnectAsync(server.Configuration);
        var counter = new RedisDensityCounter(redis.GetDatabase(), "test:" + Guid.NewGuid().ToString("N") + ":density:");
        var random = new Random(20261206);
        long cell = GeohashCells.Pack("wtw3s");
        var cells = new List<(long, long)>();
        var entries = new List<DensityEntry>();
        for (int trial = 0; trial < 2_000; trial++)
        {
            long bucket = Bucket + (trial * 900_000L);
            cells.Add((cell, bucket));
            for (int v = 0; v < 4; v++)
            {
                // The same vehicle twice must count once.
                ulong vehicle = (ulong)random.NextInt64();
                entries.Add(new DensityEntry(cell, bucket, vehicle));
                entries.Add(new DensityEntry(cell, bucket, vehicle));
            }
        }

        await counter.AddAsync(entries, "analytics", DensityCount.Candidates, CancellationToken.None);
        var decisions = new Dictionary<(long Cell, long Bucket), CellDecision>();
        await counter.DecideAsync(cells, "analytics", minVehicles: 5, decisions, CancellationToken.None);
        Assert.Equal(2_000, decisions.Count);
        Assert.DoesNotContain(decisions, d => d.Value.Released);

        // With a fifth vehicle, later (cell, bucket)s are released; the ones decided already keep their decision.
        long fresh = Bucket - 900_000;
        var five = Enumerable.Range(0, 5).Select(v => new DensityEntry(cell, fresh, (ulong)(v + 1))).ToList();
        await counter.AddAsync(five, "analytics", DensityCount.Candidates, CancellationToken.None);
        await counter.AddAsync([new DensityEntry(cell, Bucket, 99)], "analytics", DensityCount.Candidates, CancellationToken.None);
        decisions.Clear();
        await counter.DecideAsync([(cell, fresh), (cell, Bucket)], "analytics", minVehicles: 5, decisions, CancellationToken.None);
        Assert.True(decisions[(cell, fresh)].Released);
        Assert.False(decisions[(cell, Bucket)].Released);
    }

    [Fact]
    public async Task Every_instance_reads_the_traffic_count_stored_with_the_first_decision()
    {
        using ConnectionMultiplexer redis = await ConnectionMultiplexer.ConnectAsync(server.Configuration);
        string prefix = "test:" + Guid.NewGuid().ToString("N") + ":density:";
        var first = new RedisDensityCounter(redis.GetDatabase(), prefix);
        var second = new RedisDensityCounter(redis.GetDatabase(), prefix);
        long cell = GeohashCells.Pack("wtw3s");

        // Six candidates, nine vehicles of traffic (three seen only in trimmed records), from two instances.
        await first.AddAsync([.. Enumerable.Range(1, 3).Select(v => new DensityEntry(cell, Bucket, (ulong)v))], "analytics", DensityCount.Candidates, CancellationToken.None);
        await second.AddAsync([.. Enumerable.Range(4, 3).Select(v => new DensityEntry(cell, Bucket, (ulong)v))], "analytics", DensityCount.Candidates, CancellationToken.None);
        await first.AddAsync([.. Enumerable.Range(1, 9).Select(v => new DensityEntry(cell, Bucket, (ulong)v))], "analytics", DensityCount.Traffic, CancellationToken.None);
        var decisions = new Dictionary<(long Cell, long Bucket), CellDecision>();
        await second.DecideAsync([(cell, Bucket)], "analytics", minVehicles: 5, decisions, CancellationToken.None);
        Assert.Equal(new CellDecision(true, 9), decisions[(cell, Bucket)]);

        // Traffic counted later changes nothing: every record of the (cell, bucket) carries one count.
        await second.AddAsync([new DensityEntry(cell, Bucket, 10)], "analytics", DensityCount.Traffic, CancellationToken.None);
        decisions.Clear();
        await first.DecideAsync([(cell, Bucket)], "analytics", minVehicles: 5, decisions, CancellationToken.None);
        Assert.Equal(new CellDecision(true, 9), decisions[(cell, Bucket)]);

        // A decision stored before the traffic count existed (1: released) is still a release, with no count to publish.
        long older = Bucket - 900_000;
        await redis.GetDatabase().StringSetAsync($"{prefix}{{analytics:{older}:wtw3s}}:decision", 1);
        decisions.Clear();
        await first.DecideAsync([(cell, older)], "analytics", minVehicles: 5, decisions, CancellationToken.None);
        Assert.Equal(new CellDecision(true, 0), decisions[(cell, older)]);
    }

    [Fact]
    public async Task An_unreachable_redis_is_a_density_unavailable_error()
    {
        // A port nothing listens on: the client starts, and every command fails fast.
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        int port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using ConnectionMultiplexer redis = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{port},abortConnect=false,connectTimeout=500");
        var counter = new RedisDensityCounter(redis.GetDatabase(), "test:" + Guid.NewGuid().ToString("N") + ":density:");
        await Assert.ThrowsAsync<DensityUnavailableException>(() =>
            counter.AddAsync([new DensityEntry(GeohashCells.Pack("wtw3s"), Bucket, 1)], "analytics", DensityCount.Candidates, CancellationToken.None));
    }
}
