using System.Buffers.Binary;
using Avro.Generic;
using Avro.IO;
using BenchmarkDotNet.Attributes;
using Sieve.Benchmarks.Workload;
using Sieve.Contracts.Avro;
using Sieve.Contracts.Avro.Resolution;
using Sieve.Contracts.Records;
using Sieve.Contracts.Schemas;
using Sieve.Testing.Codec;

namespace Sieve.Benchmarks.Components;

/// <summary>
/// Decoding one whole single-object <c>TelematicsEvent</c> message (header check, then body): the span codec, which
/// returns slices into the message, against Apache.Avro's <see cref="GenericDatumReader{T}"/>, which builds a
/// <see cref="GenericRecord"/> tree. The Apache reader, decoder and stream are reused across calls; the header is
/// checked by hand for it, as a consumer would. The same event written with an earlier and a newer compatible
/// writer schema measures the resolution path (transcode to the current schema, then the same span decode).
/// </summary>
[Config(typeof(SieveBenchmarkConfig))]
public class DecodeBenchmarks
{
    private byte[] _telematics = [];
    private byte[] _wifi = [];
    private MemoryStream _stream = null!;
    private BinaryDecoder _decoder = null!;
    private GenericDatumReader<GenericRecord> _reader = null!;
    private WriterSchemaSet _writers = null!;
    private byte[] _earlier = [];
    private byte[] _newer = [];
    private readonly byte[] _scratch = new byte[RecordLimits.MaxMessageBytes * 2];

    [GlobalSetup]
    public void Setup()
    {
        _telematics = SampleEvents.Telematics().ToMessage();
        _wifi = SampleEvents.Wifi().ToMessage();
        _stream = new MemoryStream(_telematics, writable: false);
        _decoder = new BinaryDecoder(_stream);
        _reader = new GenericDatumReader<GenericRecord>(SchemaCatalog.Default.Get("TelematicsEvent").Schema, SchemaCatalog.Default.Get("TelematicsEvent").Schema);
        SchemaInfo earlier = EvolvedSchemas.TelematicsWithoutDriver();
        SchemaInfo newer = EvolvedSchemas.TelematicsWithTripId();
        _writers = new WriterSchemaSet(EvolvedSchemas.Telematics, [earlier, newer]);
        _earlier = EvolvedSchemas.Message(earlier, SampleEvents.Telematics());
        _newer = EvolvedSchemas.Message(newer, SampleEvents.Telematics(), new Dictionary<string, object?> { ["tripId"] = "trip-20261206-0001" });
        if (TelematicsEventCodec.TryReadMessage(_telematics, out _) != AvroStatus.Ok || ApacheGeneric() is null || EarlierWriter() == 0 || NewerWriter() == 0)
        {
            throw new InvalidOperationException("The sample message does not decode.");
        }
    }

    [Benchmark(Baseline = true, Description = "Telematics: Apache.Avro GenericDatumReader")]
    public GenericRecord ApacheGeneric()
    {
        if (_telematics[0] != SingleObjectEncoding.Marker0 || _telematics[1] != SingleObjectEncoding.Marker1
            || BinaryPrimitives.ReadUInt64LittleEndian(_telematics.AsSpan(2)) != SchemaFingerprints.TelematicsEvent)
        {
            throw new InvalidOperationException("bad header");
        }

        _stream.Position = SingleObjectEncoding.HeaderLength;
        return _reader.Read(null!, _decoder);
    }

    [Benchmark(Description = "Telematics: span codec")]
    public long SpanTelematics()
    {
        AvroStatus status = TelematicsEventCodec.TryReadMessage(_telematics, out TelematicsEvent e);
        return (long)status + e.EventTime + e.Vin.Length + e.Status.DtcCodes.Count;
    }

    [Benchmark(Description = "Telematics: span codec, earlier writer schema (no driver field) resolved")]
    public long EarlierWriter()
    {
        AvroStatus status = TelematicsEventCodec.TryReadMessage(_earlier, _writers, _scratch, out TelematicsEvent e, out ReadOnlySpan<byte> source);
        return status == AvroStatus.Ok ? e.EventTime + e.Vin.Of(source).Length + e.Status.DtcCodes.Count : 0;
    }

    [Benchmark(Description = "Telematics: span codec, newer writer schema (extra tripId field) resolved")]
    public long NewerWriter()
    {
        AvroStatus status = TelematicsEventCodec.TryReadMessage(_newer, _writers, _scratch, out TelematicsEvent e, out ReadOnlySpan<byte> source);
        return status == AvroStatus.Ok ? e.EventTime + e.Vin.Of(source).Length + e.Status.DtcCodes.Count : 0;
    }

    [Benchmark(Description = "Wi-Fi: span codec")]
    public long SpanWifi()
    {
        AvroStatus status = WifiEventCodec.TryReadMessage(_wifi, out WifiEvent e);
        return (long)status + e.EventTime + e.PhoneNumber.Length + e.VisitedDomains.Count;
    }
}
