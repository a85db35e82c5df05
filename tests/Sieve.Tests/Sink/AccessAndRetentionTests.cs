using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Sieve.Contracts.Identifiers;
using Sieve.Contracts.Pseudonymization;
using Sieve.Core.Access;
using Sieve.Core.Consent;
using Sieve.Core.Lake;
using Sieve.Core.Metrics;
using Sieve.Core.Policy;
using Sieve.Core.Retention;
using Sieve.Testing.Codec;
using Sieve.Testing.Metrics;
using Sieve.Testing.Sink;

namespace Sieve.Tests.Sink;

public sealed class AccessAndRetentionTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeMilliseconds(MinimizedRecords.Start).AddDays(3);

    [Fact]
    public async Task An_access_request_reports_pseudonyms_rows_event_times_and_consent_per_purpose()
    {
        using var records = new MinimizedRecords(seed: 9);
        string vin = await records.ConsentingVehicleAsync();
        string other = await records.ConsentingVehicleAsync();
        await records.DriveAsync(vin, 4);
        await records.DriveAsync(vin, 3, MinimizedRecords.Start + 86_400_000);
        await records.DriveAsync(other, 5);
        using var lake = new LakeWriter();
        await lake.WriteAsync(records.Records);
        var keys = new PseudonymKeyFactory(MasterKeyRing.CreateDemo());

        var access = new SubjectAccess(lake.Root, lake.Tables, keys, records.Harness.Store, new FakeTimeProvider(Now));
        AccessReport report = await access.ReportAsync(SubjectType.Vin, vin);

        Assert.False(report.Minor || report.Erased);
        using PseudonymKey positioningKey = keys.Create("positioning", PseudonymKeyFactory.StableEpoch);
        Assert.True(Pseudonyms.TryPseudonymize(positioningKey, SubjectType.Vin, vin, out string positioningPseudonym, out _));
        var expectedTimes = records.Harness.Sink.Decoded().Where(r => r.Purpose == "positioning" && (string)r.Record["subject"] == positioningPseudonym)
            .Select(r => ApacheAvroBridge.Millis(r.Record["eventTime"])).ToList();
        Assert.Equal(7, expectedTimes.Count);

        PurposeAccess positioning = report.Purposes.Single(p => p.Purpose == "positioning");
        Assert.Equal([positioningPseudonym], positioning.Pseudonyms);
        Assert.Equal(7, positioning.Rows);
        Assert.Equal(expectedTimes.Min(), positioning.FirstEventTime!.Value.ToUnixTimeMilliseconds());
        Assert.Equal(expectedTimes.Max(), positioning.LastEventTime!.Value.ToUnixTimeMilliseconds());
        Assert.Equal(ConsentState.Granted, positioning.Consent.State);

        PurposeAccess analytics = report.Purposes.Single(p => p.Purpose == "analytics");
        // Anonymized analytics rows sit under random segment pseudonyms: nothing leads from the subject to them.
        Assert.Empty(analytics.Pseudonyms);
        Assert.Equal(0, analytics.Rows);
        Assert.Equal(12, LakeQuery.Scalar("SELECT count(*) FROM " + LakeQuery.Purpose(lake.Root, "analytics")));
        Assert.Equal(ConsentState.None, analytics.Consent.State);

        ArgumentException bad = await Assert.ThrowsAsync<ArgumentException>(() => access.ReportAsync(SubjectType.Vin, "LSVNOTAVIN0000000"));
        Assert.DoesNotContain("LSVNOTAVIN", bad.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Retention_deletes_only_date_partitions_past_each_purposes_retention()
    {
        using var records = new MinimizedRecords(seed: 10);
        string vin = await records.ConsentingVehicleAsync();
        for (int day = 0; day < 4; day++)
        {
            await records.DriveAsync(vin, 3, MinimizedRecords.Start + (day * 86_400_000L));
        }

        // Shortened: positioning keeps 2 days, personalization 3; analytics keeps the policy's 730.
        using var lake = new LakeWriter(new RetentionPolicy(PolicyLoader.LoadDefault(), new Dictionary<string, int> { ["positioning"] = 2, ["personalization"] = 3 }));
        await lake.WriteAsync(records.Records);
        using var gate = new LakeGate();
        using var metrics = new SinkMetrics();
        var clock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(MinimizedRecords.Start).AddDays(4)); // 2025-11-29
        var sweeper = new RetentionSweeper(lake.Root, lake.Tables, gate, metrics, NullLogger.Instance, clock);

        using var recorded = new MetricsRecorder(metrics.Meter);
        int filesBefore = Directory.EnumerateFiles(lake.Root, "*.parquet", SearchOption.AllDirectories).Count();

        RetentionSweeper.Result result = await sweeper.SweepAsync();

        // The deletions are counted per purpose, and the files counted are the files that are gone.
        Assert.Equal(2, recorded.Sum("sieve.sink.retention.partitions_deleted", "purpose", "positioning"));
        Assert.Equal(1, recorded.Sum("sieve.sink.retention.partitions_deleted", "purpose", "personalization"));
        Assert.Equal(0, recorded.Sum("sieve.sink.retention.partitions_deleted", "purpose", "analytics"));
        Assert.Equal(filesBefore - Directory.EnumerateFiles(lake.Root, "*.parquet", SearchOption.AllDirectories).Count(),
            recorded.Of("sieve.sink.retention.files_deleted").Sum(m => m.Value));
        Assert.Equal(result.Files, recorded.Of("sieve.sink.retention.files_deleted").Sum(m => m.Value));
        Assert.True(result.Files >= result.Partitions);

        // Days held: 2025-11-25..28. Positioning keeps from 11-27, personalization from 11-26.
        Assert.Equal(3, result.Partitions);
        Assert.Equal(["2025-11-27", "2025-11-28"], Dates(lake, "positioning"));
        Assert.Equal(["2025-11-26", "2025-11-27", "2025-11-28"], Dates(lake, "personalization"));
        Assert.Equal(4, Dates(lake, "analytics").Count);
        Assert.Equal(6, LakeQuery.Scalar("SELECT count(*) FROM " + LakeQuery.Purpose(lake.Root, "positioning")));

        // A day later one more positioning day has expired; a second sweep at the same time deletes nothing.
        clock.Advance(TimeSpan.FromDays(1));
        Assert.Equal(2, (await sweeper.SweepAsync()).Partitions);
        Assert.Equal(0, (await sweeper.SweepAsync()).Partitions);
        Assert.Equal(["2025-11-28"], Dates(lake, "positioning"));
    }

    private static List<string> Dates(LakeWriter lake, string purpose) =>
        Directory.EnumerateDirectories(LakeLayout.PurposeDirectory(lake.Root, purpose)).Select(d => Path.GetFileName(d)["date=".Length..]).Order(StringComparer.Ordinal).ToList();
}
