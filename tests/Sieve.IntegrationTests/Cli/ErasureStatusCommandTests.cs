using System.Text;
using System.Text.Json;
using Sieve.Contracts.Identifiers;
using Sieve.Core.Erasure;
using Sieve.Core.Privacy;
using Sieve.Testing;
using Sieve.Testing.Cli;
using Sieve.Testing.Erasure;
using Sieve.Testing.Harness;
using Sieve.Testing.Privacy;
using Sieve.Testing.Sink;

namespace Sieve.IntegrationTests.Cli;

[Collection(KafkaCollection.Name)]
public sealed class ErasureStatusCommandTests(KafkaFixture kafka)
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Status_lists_pending_completed_and_rejected_requests_with_subject_type_rows_per_purpose_and_times_never_the_identifier()
    {
        using var records = new MinimizedRecords(seed: 11);
        string victim = await records.ConsentingVehicleAsync();
        string other = await records.ConsentingVehicleAsync();
        await records.DriveAsync(victim, 6);
        await records.DriveAsync(other, 4);

        await using ErasureTestBed bed = await ErasureTestBed.CreateAsync(kafka, "erasure.status");
        await bed.Sink.ProduceAsync(records.Records);
        await using RunningSink sink = bed.Sink.Start();
        await sink.WaitUntilLandedAsync(Limit);
        string[] topics = ["--bootstrap", kafka.BootstrapServers, "--receipts-topic", bed.Options.ReceiptsTopic, "--requests-topic", bed.Options.RequestsTopic];

        // Requested, the worker not yet running: pending.
        CliResult requested = await CliRunner.RunAsync("erasure", "request", "--type", "vin", "--id", victim, "--request-id", "req-status-1",
            "--bootstrap", kafka.BootstrapServers, "--topic", bed.Options.RequestsTopic);
        Assert.True(requested.ExitCode == 0, requested.Error);
        await bed.ProduceAsync(bed.Options.RequestsTopic, Encoding.UTF8.GetBytes("req-status-bad"),
            ErasureCodec.EncodeRequest(new ErasureRequest(SubjectType.Phone, "12", "req-status-bad", ErasureReason.Other, bed.Clock.GetUtcNow())));
        CliResult pending = await CliRunner.RunAsync(["erasure", "status", "req-status-1", "--pending", .. topics]);
        Assert.True(pending.ExitCode == 0, pending.Error);
        Assert.StartsWith("req-status-1: pending; subject type vin; reason user-request; requested ", pending.Out, StringComparison.Ordinal);
        RawIdentifierScanner.For([victim]).AssertClean(pending.All, "erasure status --pending output");
        CliResult receiptsOnly = await CliRunner.RunAsync(["erasure", "status", "req-status-1", .. topics]);
        Assert.Contains("shows with --pending", CliRunner.SingleErrorLine(receiptsOnly, 1), StringComparison.Ordinal);

        bed.StartWorker();
        ErasureReceipt first = await bed.NextReceiptAsync(0);
        ErasureReceipt second = await bed.NextReceiptAsync(1);
        ErasureReceipt receipt = new[] { first, second }.Single(r => r.RequestId == "req-status-1");
        Assert.True(receipt.Purposes.Sum(p => p.RowsRemoved) > 0);

        // The receipts alone say the subject type; with --pending nothing is listed twice.
        CliResult withPending = await CliRunner.RunAsync(["erasure", "status", "--pending", .. topics]);
        Assert.Equal(2, withPending.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        CliResult all = await CliRunner.RunAsync(["erasure", "status", .. topics]);
        Assert.True(all.ExitCode == 0, all.Error);
        string[] lines = all.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        string done = Assert.Single(lines, l => l.StartsWith("req-status-1: completed; subject type vin; reason user-request; requested ", StringComparison.Ordinal));
        foreach (PurposeErasure p in receipt.Purposes)
        {
            Assert.Contains(p.Purpose + " " + p.RowsRemoved, done, StringComparison.Ordinal);
        }

        Assert.Contains("; marked erased ", done, StringComparison.Ordinal);
        Assert.Contains(" after the request); rows removed: ", done, StringComparison.Ordinal);
        Assert.Contains(lines, l => l.StartsWith("req-status-bad: rejected (invalid-phone", StringComparison.Ordinal) && l.Contains("subject type phone; reason other", StringComparison.Ordinal));
        RawIdentifierScanner.For([victim]).AssertClean(all.All, "erasure status output");

        CliResult json = await CliRunner.RunAsync(["erasure", "status", "req-status-1", "--json", .. topics]);
        Assert.True(json.ExitCode == 0, json.Error);
        RawIdentifierScanner.For([victim]).AssertClean(json.All, "erasure status JSON");
        using JsonDocument document = JsonDocument.Parse(json.Out);
        JsonElement request = Assert.Single(document.RootElement.GetProperty("requests").EnumerateArray().ToList());
        Assert.Equal(("req-status-1", "vin", "completed", "user-request"),
            (request.GetProperty("requestId").GetString(), request.GetProperty("subjectType").GetString(), request.GetProperty("state").GetString(), request.GetProperty("reason").GetString()));
        Assert.Equal((long)(receipt.CompletedAt - receipt.RequestedAt).TotalMilliseconds, request.GetProperty("timeToCompletionMs").GetInt64());
        Assert.Equal(receipt.Purposes.ToDictionary(p => p.Purpose, p => p.RowsRemoved),
            request.GetProperty("purposes").EnumerateArray().ToDictionary(p => p.GetProperty("purpose").GetString()!, p => p.GetProperty("rowsRemoved").GetInt64()));

        CliResult missing = await CliRunner.RunAsync(["erasure", "status", "req-nobody", .. topics]);
        Assert.Contains("no erasure request with that id", CliRunner.SingleErrorLine(missing, 1), StringComparison.Ordinal);
        CliResult bad = await CliRunner.RunAsync(["erasure", "status", "no/such", .. topics]);
        Assert.Contains("REQUEST_ID must be", CliRunner.SingleErrorLine(bad, 2), StringComparison.Ordinal);
    }
}
