using Sieve.Core.Privacy;
using Sieve.Testing.Cli;
using Sieve.Testing.Sink;
using Sieve.Testing.Privacy;

namespace Sieve.Tests.Privacy;

/// <summary><c>sieve privacy</c> on a lake: what the Sink wrote for a purpose, measured without ground truth.</summary>
public sealed class PrivacyCommandTests
{
    [Fact]
    public async Task A_lake_is_measured_without_ground_truth_and_says_so()
    {
        using var records = new MinimizedRecords(seed: 11);
        string vin = await records.ConsentingVehicleAsync();
        string other = await records.ConsentingVehicleAsync();
        string visitor = await records.ConsentingVisitorAsync();
        await records.DriveAsync(vin, 4);
        await records.DriveAsync(vin, 3, MinimizedRecords.Start + 86_400_000);
        await records.DriveAsync(other, 5);
        await records.VisitAsync(visitor, 2);
        using var lake = new LakeWriter();
        await lake.WriteAsync(records.Records);
        string json = Path.Combine(lake.Root, "figures.json");

        CliResult result = await CliRunner.RunAsync("privacy", "--lake", lake.Root, "--json", json);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Error);

        // Two vehicles, one of them on two UTC days: three daily pseudonyms; the visitor's Wi-Fi records are not measured.
        Assert.Contains("12 telematics records measured, 2 skipped (Wi-Fi or no cell)", result.Out, StringComparison.Ordinal);
        Assert.Contains("3 traces, 12 released records", result.Out, StringComparison.Ordinal);
        Assert.Contains("no ground truth: k counts distinct pseudonyms per (cell, bucket), an upper bound", result.Out, StringComparison.Ordinal);
        Assert.Contains("unicity, p = 1 (all points / moving points)", result.Out, StringComparison.Ordinal);
        RawIdentifierScanner.For([vin]).AssertClean(result.All, "sieve privacy's output");
        using var document = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(json));
        Assert.False(document.RootElement.GetProperty("groundTruth").GetBoolean());
        Assert.Equal(12, document.RootElement.GetProperty("measuredRecords").GetInt64());
    }

    [Fact]
    public async Task A_missing_lake_or_a_purpose_without_cells_is_one_error_line()
    {
        CliResult result = await CliRunner.RunAsync("privacy", "--lake", Path.Combine(Path.GetTempPath(), "sieve-no-lake-" + Guid.NewGuid().ToString("N")));
        Assert.Contains("is not a directory", CliRunner.SingleErrorLine(result, 2), StringComparison.Ordinal);

        result = await CliRunner.RunAsync("privacy", "--lake", Path.GetTempPath(), "--purpose", "positioning");
        Assert.Contains("purpose positioning releases no geohash", CliRunner.SingleErrorLine(result, 2), StringComparison.Ordinal);

        result = await CliRunner.RunAsync("privacy", "--lake", Path.GetTempPath(), "--vehicles", "10");
        Assert.Contains("--vehicles and --seed go with --simulate", CliRunner.SingleErrorLine(result, 2), StringComparison.Ordinal);
    }
}
