using Sieve.Contracts.Avro.Resolution;
using Sieve.Contracts.Identifiers;
using Sieve.Contracts.Purposes;
using Sieve.Contracts.Records;
using Sieve.Contracts.Schemas;
using Sieve.Core.Pipeline;
using Sieve.Core.Policy;
using Sieve.Testing.Codec;
using Sieve.Testing.Pipeline;
using Sieve.Core.Privacy;
using Sieve.Simulation;
using Sieve.Testing.Privacy;

namespace Sieve.Tests.Pipeline;

/// <summary>The Minimizer reads raw events written with an earlier or newer compatible schema as it reads current ones.</summary>
public sealed class WriterSchemaEvolutionTests : IDisposable
{
    private const long Now = 1_764_050_400_123;
    private readonly CoreHarness _h;
    private readonly SchemaInfo _earlier = EvolvedSchemas.TelematicsWithoutDriver();
    private readonly SchemaInfo _newer = EvolvedSchemas.TelematicsWithTripId();
    private readonly SchemaInfo _broken = EvolvedSchemas.TelematicsWithTextTime();

    public WriterSchemaEvolutionTests()
    {
        WriterSchemaSet telematics = new(EvolvedSchemas.Telematics, [_earlier, _newer, _broken]);
        _h = new CoreHarness(RawWriterSchemas.Default with { Telematics = telematics });
    }

    public void Dispose() => _h.Dispose();

    [Fact]
    public async Task A_compatible_writer_schema_is_forwarded_byte_for_byte_like_the_current_one_and_never_quarantined()
    {
        var random = new RandomRecords(seed: 99);
        var ids = new SyntheticIdentities(99);
        int compared = 0;
        for (int i = 0; i < 40; i++)
        {
            TelematicsEventData data = random.Telematics();
            data = new TelematicsEventData
            {
                EventId = data.EventId, Vin = ids.Vin(), DeviceId = ids.Imei(), EventTime = Now + i, Status = data.Status,
                Location = i % 5 == 0 ? null : new GeoLocationData(31 + (i * 0.01), 121 + (i * 0.013), data.Location?.SpeedKph, data.Location?.HeadingDeg, data.Location?.AltitudeM),
            };
            foreach (string purpose in KnownPurposes.All)
            {
                await _h.GrantAsync(SubjectType.Vin, data.Vin, purpose, Now - 60_000);
            }

            List<(string, string, byte[], byte[])> current = await ForwardedAsync(data.ToMessage());
            foreach (SchemaInfo writer in new[] { _earlier, _newer })
            {
                byte[] message = EvolvedSchemas.Message(writer, data, new Dictionary<string, object?> { ["tripId"] = "trip-" + i });
                List<(string, string, byte[], byte[])> evolved = await ForwardedAsync(message);
                Assert.Equal(current.Count, evolved.Count);
                for (int r = 0; r < current.Count; r++)
                {
                    Assert.Equal((current[r].Item1, current[r].Item2), (evolved[r].Item1, evolved[r].Item2));
                    Assert.Equal(current[r].Item3, evolved[r].Item3);
                    Assert.Equal(current[r].Item4, evolved[r].Item4);
                    compared++;
                }
            }
        }

        Assert.True(compared >= 80, compared + " records compared");
    }

    [Fact]
    public async Task An_incompatible_writer_schema_is_quarantined_with_the_first_incompatibility_and_no_payload()
    {
        TelematicsEventData data = new RandomRecords(seed: 5).Telematics();
        byte[] message = EvolvedSchemas.Message(_broken, data, new Dictionary<string, object?> { ["eventTime"] = "2025-11-25T06:00" });
        (ProcessStatus status, _, QuarantineReason reason) = await _h.ProcessAsync(InputKind.Telematics, message);
        Assert.Equal(ProcessStatus.Quarantined, status);
        Assert.Equal("incompatible-writer-schema", reason.Code);
        Assert.Equal("TelematicsEvent: writer schema schemas/telematics-with-text-time.avsc: TelematicsEvent.eventTime: the writer's string cannot be read as long", reason.Detail);
        RawIdentifierScanner.For([data.Vin, data.DeviceId]).AssertClean(reason.Detail, "the quarantine reason");
    }

    private async Task<List<(string, string, byte[], byte[])>> ForwardedAsync(byte[] message)
    {
        _h.Sink.Records.Clear();
        (ProcessStatus status, _, QuarantineReason reason) = await _h.ProcessAsync(InputKind.Telematics, message);
        Assert.True(status == ProcessStatus.Processed, status + " " + reason.Code + ": " + reason.Detail);
        return [.. _h.Sink.Records];
    }
}
