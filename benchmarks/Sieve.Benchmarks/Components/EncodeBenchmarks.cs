using Avro.Generic;
using Avro.IO;
using BenchmarkDotNet.Attributes;
using Sieve.Benchmarks.Workload;
using Sieve.Contracts.Avro;
using Sieve.Contracts.Identifiers;
using Sieve.Contracts.Pseudonymization;
using Sieve.Contracts.Records;
using Sieve.Contracts.Schemas;
using Sieve.Core.Output;
using Sieve.Core.Pipeline;
using Sieve.Core.Policy;
using Sieve.Testing.Codec;

namespace Sieve.Benchmarks.Components;

/// <summary>
/// Encoding. A raw <c>TelematicsEvent</c> from its managed form with the span writer against Apache.Avro's
/// <see cref="GenericDatumWriter{T}"/> (both into a reused buffer, header included); and the minimizer's per-purpose
/// output records (<see cref="OutputRecordEncoder"/>: slots interpreted from the compiled default policy,
/// generalization applied), which is the encode work done per event per forwarded purpose.
/// </summary>
[Config(typeof(SieveBenchmarkConfig))]
public class EncodeBenchmarks
{
    private readonly byte[] _buffer = new byte[MinimizerCore.MaxOutputRecordBytes];
    private readonly byte[] _pseudonym = new byte[PseudonymKey.PseudonymLength];
    private TelematicsEventData _telematicsData = null!;
    private GenericRecord _generic = null!;
    private GenericDatumWriter<GenericRecord> _writer = null!;
    private MemoryStream _stream = null!;
    private BinaryEncoder _encoder = null!;
    private byte[] _header = [];
    private CompiledPolicy _policy = null!;
    private PurposePlan _positioning = null!;
    private PurposePlan _personalization = null!;
    private PurposePlan _analytics = null!;
    private byte[] _telematics = [];
    private byte[] _wifi = [];
    private EventFields _telematicsFields;
    private EventFields _wifiFields;
    private byte[] _keyId = [];
    private readonly int[] _categories = new int[OutputRecordEncoder.MaxInterests];
    private RecordProgram _positioningTelematics = null!;
    private RecordProgram _personalizationTelematics = null!;
    private RecordProgram _analyticsTelematics = null!;
    private RecordProgram _personalizationWifi = null!;

    [GlobalSetup]
    public void Setup()
    {
        _telematicsData = SampleEvents.Telematics();
        _generic = ApacheAvroBridge.ToGeneric(_telematicsData);
        _writer = new GenericDatumWriter<GenericRecord>(SchemaCatalog.Default.Get("TelematicsEvent").Schema);
        _stream = new MemoryStream(4096);
        _encoder = new BinaryEncoder(_stream);
        _header = new byte[SingleObjectEncoding.HeaderLength];
        SingleObjectEncoding.WriteHeader(_header, SchemaFingerprints.TelematicsEvent);

        _policy = PolicyLoader.LoadDefault();
        _positioning = _policy.FindPurpose("positioning")!;
        _personalization = _policy.FindPurpose("personalization")!;
        _analytics = _policy.FindPurpose("analytics")!;
        _positioningTelematics = new RecordProgram(_positioning, InputKind.Telematics);
        _personalizationTelematics = new RecordProgram(_personalization, InputKind.Telematics);
        _analyticsTelematics = new RecordProgram(_analytics, InputKind.Telematics);
        _personalizationWifi = new RecordProgram(_personalization, InputKind.Wifi);
        _telematics = _telematicsData.ToMessage();
        _wifi = SampleEvents.Wifi().ToMessage();
        if (TelematicsEventCodec.TryReadMessage(_telematics, out TelematicsEvent t) != AvroStatus.Ok
            || WifiEventCodec.TryReadMessage(_wifi, out WifiEvent w) != AvroStatus.Ok)
        {
            throw new InvalidOperationException("The sample messages do not decode.");
        }

        _telematicsFields = EventFields.From(t);
        _wifiFields = EventFields.From(w);
        using PseudonymKey key = new PseudonymKeyFactory(MasterKeyRing.CreateDemo()).Create("personalization", PseudonymKeyFactory.StableEpoch);
        key.Compute(SubjectType.Vin, "LSVAU2180N2183294"u8, _pseudonym);
        _keyId = key.KeyIdUtf8.ToArray();
        if (SpanTelematics() != ApacheGeneric())
        {
            throw new InvalidOperationException("The span writer and Apache.Avro disagree on the encoding's length.");
        }
    }

    [Benchmark(Baseline = true, Description = "Raw telematics: Apache.Avro GenericDatumWriter")]
    public long ApacheGeneric()
    {
        _stream.Position = 0;
        _stream.Write(_header);
        _writer.Write(_generic, _encoder);
        return _stream.Position;
    }

    [Benchmark(Description = "Raw telematics: span writer")]
    public long SpanTelematics()
    {
        var writer = new AvroWriter(_buffer);
        SingleObjectEncoding.WriteHeader(ref writer, SchemaFingerprints.TelematicsEvent);
        _telematicsData.WriteBody(ref writer);
        return writer.Position;
    }

    [Benchmark(Description = "Minimized: positioning from telematics")]
    public int Positioning() => Encode(_positioningTelematics, _telematicsFields, _telematics);

    [Benchmark(Description = "Minimized: personalization from telematics")]
    public int Personalization() => Encode(_personalizationTelematics, _telematicsFields, _telematics);

    [Benchmark(Description = "Minimized: analytics from telematics")]
    public int Analytics() => Encode(_analyticsTelematics, _telematicsFields, _telematics);

    [Benchmark(Description = "Minimized: personalization from Wi-Fi")]
    public int PersonalizationWifi() => Encode(_personalizationWifi, _wifiFields, _wifi);

    private int Encode(RecordProgram program, in EventFields fields, byte[] message)
    {
        // What the core does per event and purpose: presence bits, categories when the record uses them, encode.
        uint present = EventPresence.Of(fields);
        int count = 0;
        if (program.UsesInterests)
        {
            count = OutputRecordEncoder.CollectInterests(fields, message, _policy.Interests, _categories);
            present |= count > 0 ? EventPresence.Interests : 0;
        }

        return OutputRecordEncoder.Encode(program, fields, present, _categories.AsSpan(0, count), message, _pseudonym, _keyId, _policy.Interests, _buffer);
    }
}
