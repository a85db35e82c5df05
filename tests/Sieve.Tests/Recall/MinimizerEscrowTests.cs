using System.Text;
using Sieve.Contracts.Identifiers;
using Sieve.Contracts.Pseudonymization;
using Sieve.Contracts.Purposes;
using Sieve.Contracts.Records;
using Sieve.Core.Pipeline;
using Sieve.Core.Policy;
using Sieve.Core.Recall;
using Sieve.Testing.Pipeline;
using Sieve.Simulation;

namespace Sieve.Tests.Recall;

/// <summary>The Minimizer seals a vehicle's VIN to the quality purpose's escrow, keyed by its quality pseudonym.</summary>
public sealed class MinimizerEscrowTests : IDisposable
{
    private const long Now = 1_764_050_400_123;
    private readonly RecallKey _recall = RecallKey.Create("recall-test");
    private readonly CoreHarness _h;
    private readonly SyntheticIdentities _ids = new(31);

    public MinimizerEscrowTests()
    {
        _h = new CoreHarness(recallKey: _recall);
        _h.Core.NowMillis = Now;
    }

    public void Dispose() => _h.Dispose();

    private static byte[] Event(string vin, long time, string id = "e1") => new TelematicsEventData
    {
        EventId = id, Vin = vin, DeviceId = "490154203237518", EventTime = time,
        Location = new GeoLocationData(31.23, 121.47, 40f, 90f, 4f),
        Status = new VehicleStatusData(23_456, 50f, 12.4f, true, ["P0301"]),
    }.ToMessage();

    [Fact]
    public async Task A_vehicle_forwarded_to_quality_is_sealed_once_under_its_quality_pseudonym_and_opens_to_its_vin()
    {
        string vin = _ids.Vin();
        _h.Core.BeginBatch();
        await _h.ProcessAsync(InputKind.Telematics, Event(vin, Now - 2_000, "a"));
        await _h.ProcessAsync(InputKind.Telematics, Event(vin, Now - 1_000, "b"));
        _h.Core.CommitBatch();

        (string topic, byte[] key, byte[] value) = Assert.Single(_h.Sink.Escrowed);
        Assert.Equal("quality.escrow.v1", topic);
        string quality = Encoding.ASCII.GetString(_h.Sink.Records.First(r => r.Purpose == KnownPurposes.Quality).Key);
        Assert.Equal(quality, Encoding.ASCII.GetString(key));

        Assert.True(EscrowCodec.TryDecode(value, out EscrowRecord? record, out string? reason), reason);
        using var opener = new EscrowOpener(_recall);
        Assert.Equal(EscrowOpenStatus.Opened, opener.Open(record, quality, out string? opened));
        Assert.Equal(vin, opened);

        // Nothing else the Minimizer wrote carries the VIN, and the sealed value does not either.
        Assert.DoesNotContain(vin, Encoding.ASCII.GetString(value), StringComparison.Ordinal);
        Assert.All(_h.Sink.Records, r => Assert.DoesNotContain(vin, Encoding.ASCII.GetString(r.Value), StringComparison.Ordinal));

        // The positioning pseudonym of the same vehicle is no key of the escrow.
        Assert.Equal(EscrowOpenStatus.Failed, opener.Open(record, Pseudonymize(KnownPurposes.Positioning, vin), out _));
    }

    [Fact]
    public async Task A_batch_that_is_not_committed_takes_its_seal_back_and_a_vehicle_still_reporting_is_sealed_again_after_30_days()
    {
        string vin = _ids.Vin();
        _h.Core.BeginBatch();
        await _h.ProcessAsync(InputKind.Telematics, Event(vin, Now - 1_000));
        Assert.Single(_h.Sink.Escrowed);

        // The batch failed (its transaction aborted): the retry must carry the entry again.
        _h.Core.BeginBatch();
        await _h.ProcessAsync(InputKind.Telematics, Event(vin, Now - 1_000));
        _h.Core.CommitBatch();
        Assert.Equal(2, _h.Sink.Escrowed.Count);

        _h.Core.BeginBatch();
        await _h.ProcessAsync(InputKind.Telematics, Event(vin, Now - 500, "c"));
        Assert.Equal(2, _h.Sink.Escrowed.Count);

        long later = Now + (long)MinimizerCore.EscrowResealInterval.TotalMilliseconds;
        _h.Core.NowMillis = later;
        await _h.ProcessAsync(InputKind.Telematics, Event(vin, later - 1_000, "d"));
        _h.Core.CommitBatch();
        Assert.Equal(3, _h.Sink.Escrowed.Count);
        Assert.Equal(_h.Sink.Escrowed[0].Key, _h.Sink.Escrowed[2].Key);
    }

    [Fact]
    public async Task An_erased_vehicle_and_a_wifi_visitor_are_never_sealed()
    {
        string vin = _ids.Vin();
        Assert.True(await _h.Store.MarkErasedAsync(_h.ConsentKey(SubjectType.Vin, vin)));
        await _h.ProcessAsync(InputKind.Telematics, Event(vin, Now - 1_000));

        var wifi = new WifiEventData { EventId = "w", GatewayId = "g", OutletId = "o", EventTime = Now - 1_000, ClientMac = _ids.Mac(true), PhoneNumber = _ids.Phone() };
        await _h.ProcessAsync(InputKind.Wifi, wifi.ToMessage());

        Assert.Empty(_h.Sink.Escrowed);
    }

    private string Pseudonymize(string purpose, string vin)
    {
        using PseudonymKey key = _h.Keys.Create(purpose, PseudonymKeyFactory.StableEpoch);
        Assert.True(Pseudonyms.TryPseudonymize(key, SubjectType.Vin, vin, out string pseudonym, out _));
        return pseudonym;
    }
}
