using Avro;
using Sieve.Contracts.Avro;
using Sieve.Contracts.Avro.Resolution;
using Sieve.Contracts.Records;
using Sieve.Contracts.Schemas;
using Sieve.Testing.Codec;

namespace Sieve.Tests.Codec;

/// <summary>Each of Avro's resolution rules, what an incompatible writer is told, and the resolver's limits on bad input.</summary>
public sealed class SchemaResolutionTests
{
    [Fact]
    public void A_field_the_writer_lacks_takes_the_readers_default()
    {
        byte[] output = Resolve(
            """{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}""",
            """{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"b","type":"string","default":"x"},{"name":"c","type":["null","long"],"default":null}]}""",
            (ref w) => w.WriteLong(7));
        Assert.Equal(Bytes((ref w) => { w.WriteLong(7); w.WriteString("x"u8); w.WriteUnionIndex(0); }), output);
    }

    [Fact]
    public void A_field_the_reader_dropped_is_skipped_wherever_it_is()
    {
        byte[] output = Resolve(
            """{"type":"record","name":"R","fields":[{"name":"gone","type":{"type":"array","items":"string"}},{"name":"a","type":"int"},{"name":"tail","type":{"type":"map","values":"double"}}]}""",
            """{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}""",
            (ref w) =>
            {
                w.WriteLong(-2); // a block with a byte size: two strings in 4 bytes
                w.WriteLong(4);
                w.WriteString("a"u8);
                w.WriteString("b"u8);
                w.WriteLong(0);
                w.WriteLong(5);
                w.WriteLong(1);
                w.WriteString("k"u8);
                w.WriteDouble(1.5);
                w.WriteLong(0);
            });
        Assert.Equal(Bytes((ref w) => w.WriteLong(5)), output);
    }

    [Theory]
    [InlineData("int", "long")]
    [InlineData("int", "float")]
    [InlineData("int", "double")]
    [InlineData("long", "float")]
    [InlineData("long", "double")]
    [InlineData("float", "double")]
    public void Numbers_are_promoted_as_Avro_allows(string writer, string reader)
    {
        byte[] output = Resolve(Field(writer), Field(reader), (ref w) =>
        {
            if (writer == "float") w.WriteFloat(1.25f);
            else w.WriteLong(-300);
        });
        double value = writer == "float" ? 1.25 : -300;
        Assert.Equal(Bytes((ref w) =>
        {
            if (reader == "long") w.WriteLong(-300);
            else if (reader == "float") w.WriteFloat((float)value);
            else w.WriteDouble(value);
        }), output);
    }

    [Theory]
    [InlineData("string", "bytes")]
    [InlineData("bytes", "string")]
    public void Strings_and_bytes_read_each_other(string writer, string reader)
    {
        Assert.Equal(Bytes((ref w) => w.WriteString("héllo"u8)), Resolve(Field(writer), Field(reader), (ref w) => w.WriteString("héllo"u8)));
    }

    [Fact]
    public void Reordered_union_branches_are_matched_by_type_and_a_plain_value_reads_as_a_union()
    {
        Assert.Equal(Bytes((ref w) => { w.WriteUnionIndex(1); w.WriteString("s"u8); }),
            Resolve(Field("""["string","null"]"""), Field("""["null","string"]"""), (ref w) => { w.WriteUnionIndex(0); w.WriteString("s"u8); }));
        Assert.Equal(Bytes((ref w) => w.WriteUnionIndex(0)),
            Resolve(Field("""["string","null"]"""), Field("""["null","string"]"""), (ref w) => w.WriteUnionIndex(1)));
        Assert.Equal(Bytes((ref w) => { w.WriteUnionIndex(1); w.WriteLong(9); }),
            Resolve(Field("int"), Field("""["null","long"]"""), (ref w) => w.WriteLong(9)));
    }

    [Fact]
    public void Enum_symbols_are_matched_by_name_and_an_unknown_one_takes_the_readers_default()
    {
        string writer = Field("""{"type":"enum","name":"E","symbols":["X","B","A"]}""");
        string reader = Field("""{"type":"enum","name":"E","symbols":["A","B"],"default":"A"}""");
        Assert.Equal(Bytes((ref w) => w.WriteLong(1)), Resolve(writer, reader, (ref w) => w.WriteLong(1)));
        Assert.Equal(Bytes((ref w) => w.WriteLong(0)), Resolve(writer, reader, (ref w) => w.WriteLong(2)));
        Assert.Equal(Bytes((ref w) => w.WriteLong(0)), Resolve(writer, reader, (ref w) => w.WriteLong(0)));
    }

    [Fact]
    public void A_symbol_or_branch_the_reader_cannot_read_refuses_only_the_records_that_use_it()
    {
        ResolutionNode plan = Compile(Field("""{"type":"enum","name":"E","symbols":["A","X"]}"""), Field("""{"type":"enum","name":"E","symbols":["A"]}"""),
            out string? partial);
        Assert.Equal("R.f: the writer's enum symbol X is not in the reader's E, which has no default", partial);
        Assert.Equal(AvroStatus.Ok, Transcode(plan, Bytes((ref w) => w.WriteLong(0)), new byte[16], out _));
        Assert.Equal(AvroStatus.UnresolvableValue, Transcode(plan, Bytes((ref w) => w.WriteLong(1)), new byte[16], out _));

        plan = Compile(Field("""["int","boolean"]"""), Field("long"), out partial);
        Assert.Equal("R.f: the writer's union branch boolean cannot be read as long", partial);
        Assert.Equal(AvroStatus.Ok, Transcode(plan, Bytes((ref w) => { w.WriteUnionIndex(0); w.WriteLong(3); }), new byte[16], out _));
        Assert.Equal(AvroStatus.UnresolvableValue, Transcode(plan, Bytes((ref w) => { w.WriteUnionIndex(1); w.WriteBoolean(true); }), new byte[16], out _));
    }

    [Theory]
    [InlineData("""{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}""",
        """{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"b","type":"string"}]}""",
        "R.b: the reader's field has no default and the writer does not write it")]
    [InlineData("""{"type":"record","name":"R","fields":[{"name":"a","type":"string"}]}""",
        """{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}""",
        "R.a: the writer's string cannot be read as int")]
    [InlineData("""{"type":"record","name":"R","fields":[{"name":"a","type":"long"}]}""",
        """{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}""",
        "R.a: the writer's long cannot be read as int")]
    [InlineData("""{"type":"record","name":"R","fields":[{"name":"n","type":{"type":"record","name":"N","fields":[{"name":"x","type":"double"}]}}]}""",
        """{"type":"record","name":"R","fields":[{"name":"n","type":{"type":"record","name":"N","fields":[{"name":"x","type":"float"}]}}]}""",
        "R.n.x: the writer's double cannot be read as float")]
    [InlineData("""{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}""",
        """{"type":"record","name":"Other","fields":[{"name":"a","type":"int"}]}""",
        "Other: record R cannot be read as Other")]
    public void An_incompatible_writer_is_refused_with_the_first_incompatibility_by_path(string writer, string reader, string reason)
    {
        Assert.Null(ResolutionCompiler.Compile(Schema.Parse(writer), Schema.Parse(reader), out string? incompatibility, out _));
        Assert.Equal(reason, incompatibility);
    }

    [Fact]
    public void Every_strict_prefix_of_a_record_is_truncated_and_the_record_with_more_bytes_has_trailing_bytes()
    {
        var pairs = new RandomSchemaPairs(seed: 11);
        byte[] destination = new byte[1 << 16];
        for (int p = 0; p < 100; p++)
        {
            (Schema writer, Schema reader) = pairs.Pair();
            ResolutionNode plan = ResolutionCompiler.Compile(writer, reader, out _, out _)!;
            byte[] body = RandomSchemaPairs.Encode(writer, pairs.Datum(writer));
            for (int length = 0; length < body.Length; length++)
            {
                // "Needs more data" is never confused with "invalid": a strict prefix is Truncated, nothing else.
                AvroStatus status = Transcode(plan, body.AsSpan(0, length), destination, out _);
                Assert.Equal(AvroStatus.Truncated, status);
            }

            Assert.Equal(AvroStatus.Ok, Transcode(plan, body, destination, out _));
            Assert.Equal(AvroStatus.TrailingBytes, Transcode(plan, [.. body, 0x02], destination, out _));
        }
    }

    [Fact]
    public void A_body_whose_unchanged_tail_is_copied_unread_is_still_refused_by_the_codec_that_reads_it_when_cut_short_or_followed_by_more()
    {
        // Transcoding a message body copies a trailing run of unchanged fields without reading it: the reader's codec
        // checks those bytes. Here a strict plan for the reader's own schema stands in for that codec.
        var pairs = new RandomSchemaPairs(seed: 12);
        byte[] destination = new byte[1 << 16];
        for (int p = 0; p < 100; p++)
        {
            (Schema writer, Schema reader) = pairs.Pair();
            ResolutionNode plan = ResolutionCompiler.Compile(writer, reader, out _, out _)!;
            ResolutionNode codec = ResolutionCompiler.Compile(reader, reader, out _, out _)!;
            byte[] body = RandomSchemaPairs.Encode(writer, pairs.Datum(writer));
            for (int length = 0; length < body.Length; length++)
            {
                Assert.Equal(AvroStatus.Truncated, TranscodeBodyThenRead(plan, codec, body.AsSpan(0, length), destination));
            }

            Assert.Equal(AvroStatus.Ok, TranscodeBodyThenRead(plan, codec, body, destination));
            Assert.Equal(AvroStatus.TrailingBytes, TranscodeBodyThenRead(plan, codec, [.. body, 0x02], destination));
        }
    }

    [Fact]
    public void A_newer_telematics_writer_whose_copied_tail_is_cut_short_corrupt_or_followed_by_more_is_refused_as_reading_every_field_would()
    {
        SchemaInfo newer = EvolvedSchemas.TelematicsWithTripId();
        var writers = new WriterSchemaSet(EvolvedSchemas.Telematics, [newer]);
        Assert.True(writers.TryGet(newer.Fingerprint, out WriterSchema? schema));
        Assert.True(Assert.IsType<RecordNode>(schema!.Plan).CopiesTail, "the newer writer's plan does not copy its tail");
        TelematicsEventData data = new()
        {
            EventId = "t-1", Vin = "LSVAU2180N2183294", DeviceId = "356938035643809", EventTime = 1_764_050_400_123,
            Location = new GeoLocationData(31.23, 121.47, 42.5f, null, null),
            Status = new VehicleStatusData(48_213.4, 63.5f, 13.1f, true, ["P0420", "P0171"]),
        };
        byte[] message = EvolvedSchemas.Message(newer, data, new Dictionary<string, object?> { ["tripId"] = "trip-1" });
        byte[] scratch = new byte[RecordLimits.MaxMessageBytes * 2];
        Assert.Equal(AvroStatus.Ok, TelematicsEventCodec.TryReadMessage(message, writers, scratch, out TelematicsEvent e, out _));
        Assert.Equal(2, e.Status.DtcCodes.Count);

        for (int length = SingleObjectEncoding.HeaderLength; length < message.Length; length++)
        {
            Assert.Equal(AvroStatus.Truncated, ReadBoth(message.AsSpan(0, length)));
        }

        Assert.Equal(AvroStatus.TrailingBytes, ReadBoth([.. message, 0x00]));

        byte[] corrupt = (byte[])message.Clone();
        corrupt[^1] = 0x04; // driver's union index: branch 2 of 2
        Assert.Equal(AvroStatus.InvalidUnionIndex, ReadBoth(corrupt));
        corrupt[^1] = 0x80; // a varint that the message ends inside
        Assert.Equal(AvroStatus.Truncated, ReadBoth(corrupt));
        corrupt[^1] = 0x00;
        corrupt[^2] = 0x03; // the dtcCodes end marker becomes a block of 2 items, the driver index its byte size, and no item follows
        Assert.Equal(AvroStatus.Truncated, ReadBoth(corrupt));
        corrupt = (byte[])message.Clone();
        corrupt[^3] = 0xFF; // the last trouble code is not UTF-8 (only the codec checks this)
        Assert.Equal(AvroStatus.InvalidUtf8, TelematicsEventCodec.TryReadMessage(corrupt, writers, scratch, out _, out _));

        // The resolving read refuses what transcoding every field refuses, with the same status.
        AvroStatus ReadBoth(ReadOnlySpan<byte> bytes)
        {
            AvroStatus resolved = TelematicsEventCodec.TryReadMessage(bytes, writers, scratch, out _, out _);
            AvroStatus strict = writers.TryTranscode(newer.Fingerprint, bytes[SingleObjectEncoding.HeaderLength..], scratch, out _);
            Assert.Equal(strict, resolved);
            return resolved;
        }
    }

    [Fact]
    public void A_few_bytes_cannot_declare_a_million_items_or_nest_without_end()
    {
        ResolutionNode items = Compile(Field("""{"type":"array","items":"null"}"""), Field("""{"type":"array","items":"null"}"""), out _);
        Assert.Equal(AvroStatus.TooManyItems, Transcode(items, Bytes((ref w) => { w.WriteLong(1_000_000); w.WriteLong(0); }), new byte[64], out _));

        const string list = """{"type":"record","name":"L","fields":[{"name":"next","type":["null","L"]}]}""";
        ResolutionNode nested = ResolutionCompiler.Compile(Schema.Parse(list), Schema.Parse(list), out _, out _)!;
        byte[] deep = Bytes((ref w) =>
        {
            for (int i = 0; i < 100; i++) w.WriteUnionIndex(1);
            w.WriteUnionIndex(0);
        });
        Assert.Equal(AvroStatus.NestingTooDeep, Transcode(nested, deep, new byte[1024], out _));
        byte[] shallow = Bytes((ref w) =>
        {
            for (int i = 0; i < 10; i++) w.WriteUnionIndex(1);
            w.WriteUnionIndex(0);
        });
        byte[] output = new byte[1024];
        Assert.Equal(AvroStatus.Ok, Transcode(nested, shallow, output, out int written));
        Assert.Equal(shallow, output.AsSpan(0, written).ToArray());
    }

    [Fact]
    public void Earlier_and_newer_telematics_schemas_are_read_by_the_current_codec_and_an_incompatible_one_is_named()
    {
        SchemaInfo earlier = EvolvedSchemas.TelematicsWithoutDriver();
        SchemaInfo newer = EvolvedSchemas.TelematicsWithTripId();
        SchemaInfo broken = EvolvedSchemas.TelematicsWithTextTime();
        var writers = new WriterSchemaSet(EvolvedSchemas.Telematics, [earlier, newer, broken]);
        Assert.Equal(2, writers.Writers.Count(w => w.IsCompatible));
        Assert.Equal("TelematicsEvent.eventTime: the writer's string cannot be read as long", writers.Writers.Single(w => !w.IsCompatible).Incompatibility);

        TelematicsEventData data = new RandomRecords(seed: 3).Telematics();
        byte[] scratch = new byte[RecordLimits.MaxMessageBytes * 2];
        foreach (SchemaInfo writer in new[] { earlier, newer })
        {
            byte[] message = EvolvedSchemas.Message(writer, data, new Dictionary<string, object?> { ["tripId"] = "trip-7" });
            Assert.Equal(AvroStatus.Ok, TelematicsEventCodec.TryReadMessage(message, writers, scratch, out TelematicsEvent e, out ReadOnlySpan<byte> source));
            Assert.Equal(data.Vin, e.Vin.ToString(source));
            Assert.Equal(data.DeviceId, e.DeviceId.ToString(source));
            Assert.Equal(data.EventTime, e.EventTime);
            Assert.Equal(data.Location is not null, e.HasLocation);
            Assert.Equal(data.Location?.Latitude ?? 0, e.Location.Latitude);
            Assert.Equal(writer == newer && data.Driver is not null, e.HasDriver);
        }

        byte[] current = data.ToMessage();
        Assert.Equal(AvroStatus.Ok, TelematicsEventCodec.TryReadMessage(current, writers, scratch, out _, out ReadOnlySpan<byte> fast));
        Assert.True(fast == (ReadOnlySpan<byte>)current, "the current schema did not take the fast path");

        byte[] refused = EvolvedSchemas.Message(broken, data, new Dictionary<string, object?> { ["eventTime"] = "noon" });
        Assert.Equal(AvroStatus.IncompatibleWriter, TelematicsEventCodec.TryReadMessage(refused, writers, scratch, out _, out _));
        Assert.Equal("writer schema schemas/telematics-with-text-time.avsc: TelematicsEvent.eventTime: the writer's string cannot be read as long", writers.Explain(refused));
        byte[] unknown = (byte[])current.Clone();
        unknown[2] ^= 0xFF;
        Assert.Equal(AvroStatus.UnknownFingerprint, TelematicsEventCodec.TryReadMessage(unknown, writers, scratch, out _, out _));
    }

    /// <summary>Runs <paramref name="plan"/> over <paramref name="body"/> with the set's limits.</summary>
    internal static AvroStatus Transcode(ResolutionNode plan, ReadOnlySpan<byte> body, Span<byte> destination, out int written)
    {
        var reader = new AvroReader(body);
        var writer = new AvroWriter(destination);
        var budget = new TranscodeBudget { Depth = WriterSchemaSet.MaxDepth, Items = WriterSchemaSet.MaxItems };
        AvroStatus status = plan.Transcode(ref reader, ref writer, ref budget);
        if (status == AvroStatus.Ok)
        {
            status = reader.ExpectEnd();
        }

        written = writer.Position;
        return status == AvroStatus.Ok && writer.Overflowed ? AvroStatus.DestinationTooSmall : status;
    }

    /// <summary>Runs <paramref name="plan"/> over <paramref name="body"/> as a whole message body (a copied tail is not read).</summary>
    internal static AvroStatus TranscodeBody(ResolutionNode plan, ReadOnlySpan<byte> body, Span<byte> destination, out int written)
    {
        var reader = new AvroReader(body);
        var writer = new AvroWriter(destination);
        var budget = new TranscodeBudget { Depth = WriterSchemaSet.MaxDepth, Items = WriterSchemaSet.MaxItems };
        AvroStatus status = plan.TranscodeBody(ref reader, ref writer, ref budget);
        written = writer.Position;
        return status == AvroStatus.Ok && writer.Overflowed ? AvroStatus.DestinationTooSmall : status;
    }

    /// <summary>
    /// <see cref="TranscodeBody"/>, then the result read with <paramref name="codec"/>, a strict plan from the reader's
    /// schema to itself, as the reader's codec would: the first status that is not Ok.
    /// </summary>
    private static AvroStatus TranscodeBodyThenRead(ResolutionNode plan, ResolutionNode codec, ReadOnlySpan<byte> body, byte[] destination)
    {
        AvroStatus status = TranscodeBody(plan, body, destination, out int written);
        return status != AvroStatus.Ok ? status : Transcode(codec, destination.AsSpan(0, written), new byte[destination.Length], out _);
    }

    private static string Field(string type) =>
        """{"type":"record","name":"R","fields":[{"name":"f","type":""" + (type[0] is '{' or '[' or '"' ? type : "\"" + type + "\"") + "}]}";

    private static ResolutionNode Compile(string writer, string reader, out string? partial)
    {
        ResolutionNode? plan = ResolutionCompiler.Compile(Schema.Parse(writer), Schema.Parse(reader), out string? incompatibility, out partial);
        Assert.True(plan is not null, incompatibility);
        return plan;
    }

    private static byte[] Resolve(string writer, string reader, AvroWriterAction body)
    {
        ResolutionNode plan = Compile(writer, reader, out string? partial);
        Assert.Null(partial);
        byte[] destination = new byte[256];
        Assert.Equal(AvroStatus.Ok, Transcode(plan, Bytes(body), destination, out int written));
        return destination.AsSpan(0, written).ToArray();
    }

    private static byte[] Bytes(AvroWriterAction write)
    {
        byte[] buffer = new byte[256];
        var writer = new AvroWriter(buffer);
        write(ref writer);
        return buffer.AsSpan(0, writer.Position).ToArray();
    }

    private delegate void AvroWriterAction(ref AvroWriter writer);
}
