using System.Text;
using Confluent.Kafka;
using Sieve.Commands.Soak;
using Sieve.Commands.Policy;
using Sieve.Contracts;
using Sieve.Contracts.Records;
using Sieve.Core.Output;
using Sieve.Core.Pipeline;
using Sieve.Core.Policy;
using Sieve.Core.Privacy;
using Sieve.Simulation;

namespace Sieve.Tests.Soak;

/// <summary>
/// The soak's checks find what they are for: an acknowledged record missing from the raw topic, a raw input no audit
/// record accounts for, a forwarded record missing from the lake or landed twice, and an identifier in an output.
/// </summary>
public sealed class SoakLedgerTests
{
    private const string Imei = "356307042441013";
    private const string Vin = "LSVAU2180N2183294";
    private static readonly SoakTopics Topics = new(Sieve.Contracts.Topics.TelematicsRaw, Sieve.Contracts.Topics.WifiRaw, ["positioning.v1"], [], Sieve.Contracts.Topics.Audit, Sieve.Contracts.Topics.Quarantine);
    private static readonly CompiledPolicy Policy = PolicyFiles.Load(null);

    [Fact]
    public void A_run_where_everything_arrived_once_passes()
    {
        SoakLedger ledger = Ledger();
        Ack(ledger, 1000, 2000);
        Raw(ledger, 0, 1000);
        Raw(ledger, 1, 2000);
        Audit(ledger, 0, 1);
        Output(ledger, 0, "minimized");

        SoakFindings findings = ledger.Check(RawEnds(2), Lake((0, 1)));

        Assert.True(findings.NothingLost);
        Assert.Equal(2, findings.TelematicsAcked);
        Assert.Equal(2, findings.RawInputs);
        Assert.Equal(1, findings.Outputs["positioning.v1"].LandedOnce);
        Assert.Equal(0, ledger.Leaks.Hits);
    }

    [Fact]
    public void An_acknowledged_record_missing_from_the_raw_topic_is_a_loss()
    {
        SoakLedger ledger = Ledger();
        Ack(ledger, 1000, 2000);
        Raw(ledger, 0, 1000);
        Audit(ledger, 0, 0);

        SoakFindings findings = ledger.Check(RawEnds(1), Lake());

        Assert.Equal(1, findings.TelematicsAckedMissing);
        Assert.False(findings.NothingLost);
    }

    [Fact]
    public void A_raw_input_no_audit_record_accounts_for_is_a_loss_and_one_audited_twice_is_counted()
    {
        SoakLedger ledger = Ledger();
        Raw(ledger, 0, 1000);
        Raw(ledger, 1, 2000);
        Raw(ledger, 2, 3000);
        Audit(ledger, 0, 0);
        Audit(ledger, 0, 0);

        SoakFindings findings = ledger.Check(RawEnds(3), Lake());

        Assert.Equal(2, findings.RawUnaudited);
        Assert.Equal(1, findings.RawAuditedTwice);
        Assert.False(findings.NothingLost);
        Assert.Equal(2, ledger.Unaudited(RawEnds(3)));
    }

    [Fact]
    public void An_audit_record_counting_fewer_inputs_than_its_raw_range_is_a_mismatch()
    {
        SoakLedger ledger = Ledger();
        Raw(ledger, 0, 1000);
        Raw(ledger, 1, 2000);
        Raw(ledger, 2, 3000);
        var tally = new PartitionTally(Topics.TelematicsRaw, 0, Policy.Purposes.Count);
        Span<Outcome> outcomes = new Outcome[Policy.Purposes.Count];
        tally.AddProcessed(0, outcomes);
        tally.AddProcessed(2, outcomes);
        ledger.Add(Result(Topics.Audit, 0, OpsRecordWriter.Audit("soak-test", 1, tally, Policy.Purposes, 0)));

        SoakFindings findings = ledger.Check(RawEnds(3), Lake());

        Assert.Equal(1, findings.AuditRangeMismatches);
        Assert.False(findings.NothingLost);
    }

    [Fact]
    public void A_run_that_moved_nothing_is_not_exercised()
    {
        SoakFindings findings = Ledger().Check(RawEnds(0), Lake());

        Assert.True(findings.NothingLost);
        Assert.False(findings.Exercised);
    }

    [Fact]
    public void A_forwarded_record_missing_from_the_lake_or_landed_twice_fails_the_run()
    {
        SoakLedger ledger = Ledger();
        Output(ledger, 0, "a");
        Output(ledger, 1, "b");

        SoakFindings findings = ledger.Check(RawEnds(0), Lake((0, 2)));

        Assert.Equal(1, findings.Outputs["positioning.v1"].LandedTwice);
        Assert.Equal(1, findings.Outputs["positioning.v1"].NotLanded);
        Assert.False(findings.NothingLost);
    }

    [Fact]
    public void An_identifier_in_an_output_is_found_and_described_without_the_identifier()
    {
        SoakLedger ledger = Ledger();
        Output(ledger, 0, "vehicle " + Vin.ToLowerInvariant());

        (string place, long scanned, long hits, string? first) = Assert.Single(ledger.Leaks.ByPlace());

        Assert.Equal(1, hits);
        Assert.Equal(1, scanned);
        Assert.Contains("positioning.v1", place, StringComparison.Ordinal);
        Assert.DoesNotContain(Vin, first!, StringComparison.OrdinalIgnoreCase);
        Assert.StartsWith("Vin #0", first, StringComparison.Ordinal);
    }

    private static SoakLedger Ledger() =>
        new(Topics, new RawIdentifierScanner([(IdentifierKind.Imei, Imei), (IdentifierKind.Vin, Vin)]));

    private static void Ack(SoakLedger ledger, params long[] times)
    {
        var records = new UnitRecord[times.Length];
        for (int i = 0; i < times.Length; i++)
        {
            records[i] = new UnitRecord(times[i], 121.47, 31.23);
        }

        ledger.RecordsAcked(Imei, records);
    }

    private static void Raw(SoakLedger ledger, long offset, long time) =>
        ledger.Add(Result(Topics.TelematicsRaw, offset, new TelematicsEventData { EventId = "e" + offset, Vin = Vin, DeviceId = Imei, EventTime = time }.ToMessage()));

    private static void Audit(SoakLedger ledger, long first, long last)
    {
        var tally = new PartitionTally(Topics.TelematicsRaw, 0, Policy.Purposes.Count);
        Span<Outcome> outcomes = new Outcome[Policy.Purposes.Count];
        for (long offset = first; offset <= last; offset++)
        {
            tally.AddProcessed(offset, outcomes);
        }

        ledger.Add(Result(Topics.Audit, first, OpsRecordWriter.Audit("soak-test", 1, tally, Policy.Purposes, 0)));
    }

    private static void Output(SoakLedger ledger, long offset, string value) =>
        ledger.Add(Result("positioning.v1", offset, Encoding.UTF8.GetBytes(value)));

    private static ConsumeResult<byte[], byte[]> Result(string topic, long offset, byte[] value) => new()
    {
        Topic = topic,
        Partition = 0,
        Offset = offset,
        Message = new Message<byte[], byte[]> { Key = [], Value = value },
    };

    private static Dictionary<(string Topic, int Partition), long> RawEnds(long telematics) =>
        new() { [(Topics.TelematicsRaw, 0)] = telematics };

    private static Dictionary<(string Topic, int Partition, long Offset), int> Lake(params (long Offset, int Times)[] rows)
    {
        var lake = new Dictionary<(string, int, long), int>();
        foreach ((long offset, int times) in rows)
        {
            lake[("positioning.v1", 0, offset)] = times;
        }

        return lake;
    }
}
