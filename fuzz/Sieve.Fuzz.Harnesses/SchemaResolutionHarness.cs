using System.Buffers.Binary;
using System.Text.Json.Nodes;
using Avro;
using Avro.Generic;
using Avro.IO;
using Sieve.Contracts.Avro;
using Sieve.Contracts.Avro.Framing;
using Sieve.Contracts.Avro.Resolution;
using Sieve.Contracts.Records;
using Sieve.Contracts.Schemas;

namespace Sieve.Fuzz.Harnesses;

/// <summary>
/// Schema resolution and message framing: <see cref="TelematicsEventCodec"/>'s resolving
/// <c>TryReadMessage</c> over a <see cref="WriterSchemaSet"/> of the current <c>TelematicsEvent</c> schema and five
/// writer schemas derived from it (earlier, newer, reordered, promoted numbers, and an incompatible one), all with
/// Schema Registry ids, so both single-object and Confluent-framed inputs reach the transcoder. Checks, beyond
/// "no exception and a defined status": a decodable message gives <see cref="AvroStatus.Truncated"/> for every
/// strict prefix and <see cref="AvroStatus.TrailingBytes"/> with one more byte; a refused message stays refused the
/// same way with one more byte (or, when its body was transcoded whole and the reader's codec refused the result,
/// becomes <see cref="AvroStatus.TrailingBytes"/>: the transcoder checks the body's end first, unless it copied the
/// body's unchanged tail unread for the codec to read); decoding is
/// deterministic; the same body under the other framing decodes the same; every slice lies in the decoded buffer
/// and is valid UTF-8; and a transcoded record holds the values Apache.Avro's resolving reader reads from it.
/// </summary>
public static class SchemaResolutionHarness
{
    /// <summary>Name in the registry and the corpus folder.</summary>
    public const string Name = "schema-resolution";

    /// <summary>Registry id of the current schema.</summary>
    public const int CurrentId = 1;

    /// <summary>Registry id of the newer writer (<see cref="EvolvedTelematics.Newer"/>).</summary>
    public const int NewerId = 2;

    /// <summary>Registry id of the incompatible writer (<see cref="EvolvedTelematics.Incompatible"/>).</summary>
    public const int IncompatibleId = 3;

    /// <summary>Registry id of the earlier writer (<see cref="EvolvedTelematics.Earlier"/>).</summary>
    public const int EarlierId = 4;

    /// <summary>Registry id of the reordered writer (<see cref="EvolvedTelematics.Reordered"/>).</summary>
    public const int ReorderedId = 5;

    /// <summary>Registry id of the promoted writer (<see cref="EvolvedTelematics.Promoted"/>).</summary>
    public const int PromotedId = 6;

    /// <summary>A registry id the registry said it does not have.</summary>
    public const int MissingId = 9;

    /// <summary>The byte appended to a message: 0 is also a whole Avro value (an empty array, a zero), the likeliest to be taken for one.</summary>
    private const byte ExtraByte = 0x00;

    /// <summary>The registry ids: every schema below, and <see cref="MissingId"/> as one the registry does not have.</summary>
    public static SchemaIds Ids { get; } = CreateIds();

    /// <summary>The writer set every input is read with: the current schema as the reader, the derived writers, <see cref="Ids"/>.</summary>
    public static WriterSchemaSet Writers { get; } = CreateWriters();

    // Apache.Avro's resolving readers by writer fingerprint, and the writer for the reader's schema (logical types
    // dropped: the bytes are the same, and a timestamp beyond DateTime's range is no reason for the oracle to throw).
    private static readonly Dictionary<ulong, GenericDatumReader<object?>> Oracles = EvolvedTelematics.All
        .Where(w => w.Schema != EvolvedTelematics.Current && w.Schema != EvolvedTelematics.Incompatible)
        .ToDictionary(w => w.Schema.Fingerprint, w => new GenericDatumReader<object?>(
            EvolvedTelematics.WithoutLogicalTypes(w.Schema), EvolvedTelematics.WithoutLogicalTypes(EvolvedTelematics.Current)));

    private static readonly GenericDatumWriter<object?> OracleWriter = new(EvolvedTelematics.WithoutLogicalTypes(EvolvedTelematics.Current));

    // The Minimizer's own buffer size (MinimizerCore).
    [ThreadStatic]
    private static byte[]? _scratch;

    /// <summary>Checks the resolving decoder on <paramref name="input"/>.</summary>
    public static void Run(ReadOnlySpan<byte> input)
    {
        if (input.Length > Contract.MaxInputBytes)
        {
            return;
        }

        byte[] message = input.ToArray();
        Contract.NoUndocumentedException(Name, "TelematicsEventCodec.TryReadMessage (resolving)", () => Check(message));
    }

    private static void Check(byte[] message)
    {
        Outcome first = Decode(message);
        Outcome again = Decode(message);
        Contract.Require(Name, again.Status == first.Status && Same(again.Value, first.Value),
            $"decoding the same message twice gave {first.Status} and then {again.Status}, or different values");

        if (first.Status == AvroStatus.Ok)
        {
            foreach (int length in Contract.PrefixLengths(message.Length))
            {
                AvroStatus prefix = Decode(message[..length]).Status;
                Contract.Require(Name, prefix == AvroStatus.Truncated, $"prefix of {length} of {message.Length} bytes ({first.Path}) gave {prefix}");
            }

            AvroStatus extended = Decode([.. message, ExtraByte]).Status;
            Contract.Require(Name, extended == AvroStatus.TrailingBytes, $"a decoded message ({first.Path}) followed by one more byte gave {extended}");
        }
        else if (first.Status != AvroStatus.Truncated)
        {
            AvroStatus extended = Decode([.. message, ExtraByte]).Status;
            if (first.Path == DecodePath.Transcoded)
            {
                // The reader's codec refused the transcoded result. When the plan read the whole body, one more byte
                // stops the transcoder at that byte before the codec runs (TrailingBytes); when it copied the body's
                // unchanged tail unread, the codec meets the same problem first again.
                Contract.Require(Name, extended == AvroStatus.TrailingBytes || extended == first.Status,
                    $"{first.Status} of a transcoded body became {extended} with one more byte, neither TrailingBytes nor the same refusal");
            }
            else if (first.Status == AvroStatus.DestinationTooSmall)
            {
                // The transcoder checks the body's end before the destination's size.
                Contract.Require(Name, extended is AvroStatus.TrailingBytes or AvroStatus.DestinationTooSmall, $"DestinationTooSmall became {extended} with one more byte");
            }
            else
            {
                Contract.Require(Name, extended == first.Status, $"{first.Status} ({first.Path}) became {extended} with one more byte");
            }
        }

        CheckOtherFraming(message, first);
    }

    /// <summary>The same body under the other framing (registry id for fingerprint, or back) must decode the same.</summary>
    private static void CheckOtherFraming(byte[] message, Outcome outcome)
    {
        if (RecordHeader.TryRead(message, Ids, out ulong fingerprint, out int bodyStart, out int schemaId) != AvroStatus.Ok)
        {
            return;
        }

        byte[] other;
        if (schemaId >= 0)
        {
            other = new byte[SingleObjectEncoding.HeaderLength + message.Length - bodyStart];
            SingleObjectEncoding.WriteHeader(other, fingerprint);
        }
        else if (Ids.TryGetId(fingerprint, out int id))
        {
            other = new byte[ConfluentFraming.HeaderLength + message.Length - bodyStart];
            ConfluentFraming.WriteHeader(other, id);
        }
        else
        {
            return;
        }

        message.AsSpan(bodyStart).CopyTo(other.AsSpan(other.Length - (message.Length - bodyStart)));
        Outcome reframed = Decode(other);
        Contract.Require(Name, reframed.Status == outcome.Status && Same(reframed.Value, outcome.Value),
            $"the body under the other framing gave {reframed.Status}, not {outcome.Status}, or different values");
    }

    private static Outcome Decode(byte[] message)
    {
        byte[] scratch = _scratch ??= new byte[RecordLimits.MaxMessageBytes * 2];

        // Which way the decoder goes, from the header and the transcoder on their own (before the codec runs, so
        // the scratch then holds what the codec itself transcoded).
        AvroStatus header = RecordHeader.TryRead(message, Ids, out ulong fingerprint, out int bodyStart, out _);
        DecodePath path = header == AvroStatus.Ok && fingerprint == Writers.Reader.Fingerprint ? DecodePath.FastPath
            : header == AvroStatus.Ok && Writers.TryResolveMessage(message, scratch, out _, out _) == AvroStatus.Ok ? DecodePath.Transcoded
            : DecodePath.Refused;

        AvroStatus status = TelematicsEventCodec.TryReadMessage(message, Writers, scratch, out TelematicsEvent value, out ReadOnlySpan<byte> source);
        Contract.Require(Name, Enum.IsDefined(status), $"status {(int)status} is not a defined value");
        if (status != AvroStatus.Ok)
        {
            return new Outcome(status, null, path);
        }

        if (path == DecodePath.FastPath)
        {
            Contract.Require(Name, source == new ReadOnlySpan<byte>(message), "a message of the reader's own schema was not decoded in place");
        }
        else
        {
            Contract.Require(Name, path == DecodePath.Transcoded, "a message whose header or body the resolver refused decoded Ok");
            Contract.Require(Name, source.Overlaps((ReadOnlySpan<byte>)scratch, out int offset) && offset == 0, "a transcoded record does not start the scratch buffer");
        }

        byte[] described = Describe(value, source);
        if (path == DecodePath.Transcoded)
        {
            CheckAgainstApache(fingerprint, message.AsSpan(bodyStart).ToArray(), described);
        }

        return new Outcome(status, described, path);
    }

    /// <summary>Apache.Avro's resolving reader, reading the writer's body, must find the values the span codec decoded from the transcoded record.</summary>
    private static void CheckAgainstApache(ulong fingerprint, byte[] body, byte[] described)
    {
        byte[] encoded;
        try
        {
            using var input = new MemoryStream(body);
            object? datum = Oracles[fingerprint].Read(null, new BinaryDecoder(input));
            Contract.Require(Name, input.Position == body.Length, "Apache.Avro read a different length of the transcoded body");
            using var output = new MemoryStream();
            OracleWriter.Write(datum, new BinaryEncoder(output));
            encoded = output.ToArray();
        }
        catch (Exception e) when (e is not FuzzContractViolation)
        {
            throw new FuzzContractViolation(Name, $"Apache.Avro's resolving reader threw {e.GetType().FullName} on a body the transcoder accepted", e);
        }

        byte[] message = new byte[SingleObjectEncoding.HeaderLength + encoded.Length];
        SingleObjectEncoding.WriteHeader(message, Writers.Reader.Fingerprint);
        encoded.CopyTo(message, SingleObjectEncoding.HeaderLength);
        AvroStatus status = TelematicsEventCodec.TryReadMessage(message, out TelematicsEvent value);
        Contract.Require(Name, status == AvroStatus.Ok, $"Apache.Avro's reading of a transcoded body, encoded again, decoded as {status}");
        Contract.Require(Name, Same(Describe(value, message), described), "the transcoded record's values differ from Apache.Avro's resolving reader's");
    }

    /// <summary>
    /// The decoded values as bytes (strings by content, numbers by their bits), checking on the way that every
    /// slice lies in <paramref name="source"/>, is valid UTF-8, and that string arrays enumerate their count.
    /// </summary>
    private static byte[] Describe(in TelematicsEvent value, ReadOnlySpan<byte> source)
    {
        var output = new List<byte>(256);
        Text(output, source, value.EventId);
        Text(output, source, value.Vin);
        Text(output, source, value.DeviceId);
        Number(output, value.EventTime);
        output.Add(value.HasLocation ? (byte)1 : (byte)0);
        if (value.HasLocation)
        {
            GeoLocation l = value.Location;
            Number(output, BitConverter.DoubleToInt64Bits(l.Latitude));
            Number(output, BitConverter.DoubleToInt64Bits(l.Longitude));
            Optional(output, l.SpeedKph);
            Optional(output, l.HeadingDeg);
            Optional(output, l.AltitudeM);
        }

        output.Add(value.HasStatus ? (byte)1 : (byte)0);
        if (value.HasStatus)
        {
            VehicleStatus s = value.Status;
            Number(output, s.OdometerKm is { } odometer ? BitConverter.DoubleToInt64Bits(odometer) : long.MinValue);
            Optional(output, s.FuelLevelPct);
            Optional(output, s.BatteryVoltage);
            output.Add(s.EngineOn switch { null => 2, true => 1, false => 0 });
            int count = 0;
            foreach (ReadOnlySpan<byte> item in s.DtcCodes.Enumerate(source))
            {
                Contract.Require(Name, System.Text.Unicode.Utf8.IsValid(item), "a decoded array item is not valid UTF-8");
                Number(output, item.Length);
                output.AddRange(item);
                count++;
            }

            Contract.Require(Name, count == s.DtcCodes.Count, $"a decoded array enumerates {count} items, not {s.DtcCodes.Count}");
        }

        output.Add(value.HasDriver ? (byte)1 : (byte)0);
        if (value.HasDriver)
        {
            Text(output, source, value.Driver.Name);
            Text(output, source, value.Driver.PhoneNumber);
            Text(output, source, value.Driver.LicenseNumber);
        }

        return [.. output];
    }

    private static void Text(List<byte> output, ReadOnlySpan<byte> source, Utf8Slice slice)
    {
        Contract.Require(Name, slice.IsNull || (slice.Offset >= 0 && slice.Length >= 0 && slice.Offset + (long)slice.Length <= source.Length),
            "a decoded slice lies outside the decoded buffer");
        ReadOnlySpan<byte> text = slice.Of(source);
        Contract.Require(Name, System.Text.Unicode.Utf8.IsValid(text), "a decoded string is not valid UTF-8");
        Number(output, slice.IsNull ? -1 : text.Length);
        output.AddRange(text);
    }

    private static void Optional(List<byte> output, float? value) =>
        Number(output, value is { } v ? BitConverter.SingleToInt32Bits(v) : long.MinValue);

    private static void Number(List<byte> output, long value)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, value);
        output.AddRange(bytes);
    }

    private static bool Same(byte[]? a, byte[]? b) => a is null ? b is null : b is not null && a.AsSpan().SequenceEqual(b);

    private static SchemaIds CreateIds()
    {
        var ids = new SchemaIds();
        ids.Add(CurrentId, EvolvedTelematics.Current);
        ids.Add(NewerId, EvolvedTelematics.Newer);
        ids.Add(IncompatibleId, EvolvedTelematics.Incompatible);
        ids.Add(EarlierId, EvolvedTelematics.Earlier);
        ids.Add(ReorderedId, EvolvedTelematics.Reordered);
        ids.Add(PromotedId, EvolvedTelematics.Promoted);
        ids.AddMissing(MissingId);
        return ids;
    }

    private static WriterSchemaSet CreateWriters()
    {
        var set = new WriterSchemaSet(EvolvedTelematics.Current,
            [EvolvedTelematics.Earlier, EvolvedTelematics.Newer, EvolvedTelematics.Reordered, EvolvedTelematics.Promoted, EvolvedTelematics.Incompatible], Ids);

        // The harness is only what it says when the derived writers resolve as intended.
        foreach (SchemaInfo compatible in (SchemaInfo[])[EvolvedTelematics.Earlier, EvolvedTelematics.Newer, EvolvedTelematics.Reordered, EvolvedTelematics.Promoted])
        {
            if (!set.TryGet(compatible.Fingerprint, out WriterSchema? writer) || !writer!.IsCompatible)
            {
                throw new InvalidOperationException(compatible.FileName + " is not read as a compatible writer: " + writer?.Incompatibility + writer?.Partial);
            }
        }

        if (!set.TryGet(EvolvedTelematics.Incompatible.Fingerprint, out WriterSchema? incompatible) || incompatible!.Incompatibility is null)
        {
            throw new InvalidOperationException(EvolvedTelematics.Incompatible.FileName + " is not refused as incompatible");
        }

        return set;
    }

    /// <summary>Which way the decoder went.</summary>
    private enum DecodePath
    {
        /// <summary>The header or the writer schema was refused, or the body could not be transcoded.</summary>
        Refused,

        /// <summary>The reader's own schema: decoded in place.</summary>
        FastPath,

        /// <summary>Another writer's body, transcoded whole into the scratch buffer.</summary>
        Transcoded,
    }

    private readonly record struct Outcome(AvroStatus Status, byte[]? Value, DecodePath Path);
}

/// <summary>
/// Writer schemas derived from the current <c>TelematicsEvent</c> by the usual changes (as the tests'
/// <c>EvolvedSchemas</c> does; the harnesses do not reference the test kit).
/// </summary>
internal static class EvolvedTelematics
{
    /// <summary>The current schema, the reader.</summary>
    public static readonly SchemaInfo Current = SchemaCatalog.Default.Get("TelematicsEvent");

    /// <summary>An earlier writer: no trailing <c>driver</c> field (the reader takes its default, null).</summary>
    public static readonly SchemaInfo Earlier = Derive("telematics-without-driver.avsc", fields => fields.RemoveAt(fields.FindIndex(f => NameOf(f) == "driver")));

    /// <summary>A newer writer: an optional <c>tripId</c> after <c>eventTime</c> (the reader skips it).</summary>
    public static readonly SchemaInfo Newer = Derive("telematics-with-trip-id.avsc", fields => fields.Insert(fields.FindIndex(f => NameOf(f) == "eventTime") + 1,
        new JsonObject { ["name"] = "tripId", ["type"] = new JsonArray("null", "string"), ["default"] = null, ["classification"] = "quasi" }));

    /// <summary>A writer with the top-level fields in another order, and the driver's fields reversed.</summary>
    public static readonly SchemaInfo Reordered = Derive("telematics-reordered.avsc", fields =>
    {
        string[] order = ["deviceId", "eventTime", "eventId", "vin", "status", "location", "driver"];
        List<JsonNode> reordered = [.. order.Select(name => fields.Single(f => NameOf(f) == name))];
        fields.Clear();
        fields.AddRange(reordered);
        JsonArray driver = RecordFields(fields.Single(f => NameOf(f) == "driver"));
        List<JsonNode> reversed = [.. driver.Select(f => f!.DeepClone()).Reverse()];
        driver.Clear();
        reversed.ForEach(driver.Add);
    });

    /// <summary>
    /// A writer of narrower numbers, each read by one of Avro's promotions: <c>eventTime</c> int (as long),
    /// latitude float and longitude long (as double), speed int and heading long (as float, in a union), odometer int
    /// (as double, in a union).
    /// </summary>
    public static readonly SchemaInfo Promoted = Derive("telematics-promoted.avsc", fields =>
    {
        fields.Single(f => NameOf(f) == "eventTime")["type"] = "int";
        JsonArray location = RecordFields(fields.Single(f => NameOf(f) == "location"));
        location.Single(f => NameOf(f!) == "latitude")!["type"] = "float";
        location.Single(f => NameOf(f!) == "longitude")!["type"] = "long";
        location.Single(f => NameOf(f!) == "speedKph")!["type"] = new JsonArray("null", "int");
        location.Single(f => NameOf(f!) == "headingDeg")!["type"] = new JsonArray("null", "long");
        JsonArray status = RecordFields(fields.Single(f => NameOf(f) == "status"));
        status.Single(f => NameOf(f!) == "odometerKm")!["type"] = new JsonArray("null", "int");
    });

    /// <summary>An incompatible writer: <c>eventTime</c> as a string.</summary>
    public static readonly SchemaInfo Incompatible = Derive("telematics-with-text-time.avsc", fields => fields.Single(f => NameOf(f) == "eventTime")["type"] = "string");

    /// <summary>Every schema with its registry id.</summary>
    public static readonly IReadOnlyList<(string Name, SchemaInfo Schema, int Id)> All =
    [
        ("current", Current, SchemaResolutionHarness.CurrentId),
        ("earlier", Earlier, SchemaResolutionHarness.EarlierId),
        ("newer", Newer, SchemaResolutionHarness.NewerId),
        ("reordered", Reordered, SchemaResolutionHarness.ReorderedId),
        ("promoted", Promoted, SchemaResolutionHarness.PromotedId),
        ("incompatible", Incompatible, SchemaResolutionHarness.IncompatibleId),
    ];

    /// <summary><paramref name="schema"/> parsed again without its logical types (the same bytes; plain longs for Apache.Avro).</summary>
    public static Schema WithoutLogicalTypes(SchemaInfo schema)
    {
        JsonNode json = JsonNode.Parse(schema.Json)!;
        Strip(json);
        return Schema.Parse(json.ToJsonString());

        static void Strip(JsonNode? node)
        {
            if (node is JsonObject obj)
            {
                obj.Remove("logicalType");
                foreach (KeyValuePair<string, JsonNode?> property in obj)
                {
                    Strip(property.Value);
                }
            }
            else if (node is JsonArray array)
            {
                foreach (JsonNode? item in array)
                {
                    Strip(item);
                }
            }
        }
    }

    private static SchemaInfo Derive(string fileName, Action<List<JsonNode>> change)
    {
        JsonObject json = JsonNode.Parse(SchemaCatalog.Default.Get("TelematicsEvent").Json)!.AsObject();
        List<JsonNode> fields = [.. json["fields"]!.AsArray().Select(f => f!.DeepClone())];
        change(fields);
        json["fields"] = new JsonArray([.. fields]);
        return SchemaInfo.Parse(fileName, json.ToJsonString());
    }

    /// <summary>The fields of the record in a <c>["null", record]</c> field.</summary>
    private static JsonArray RecordFields(JsonNode field) =>
        field["type"]!.AsArray().OfType<JsonObject>().Single(t => (string?)t["type"] == "record")["fields"]!.AsArray();

    private static string NameOf(JsonNode field) => field["name"]!.GetValue<string>();
}
