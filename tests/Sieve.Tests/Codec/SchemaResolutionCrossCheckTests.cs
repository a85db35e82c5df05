using Avro;
using Sieve.Contracts.Avro;
using Sieve.Contracts.Avro.Resolution;
using Sieve.Testing.Codec;

namespace Sieve.Tests.Codec;

/// <summary>
/// Property test: for random (writer, reader, record) triples, the span resolver's output is byte for byte what
/// Apache.Avro's resolving reader decodes, written again with the reader's schema, whether every field is read or a
/// trailing run of unchanged fields is copied as a message body's is.
/// </summary>
public sealed class SchemaResolutionCrossCheckTests
{
    private const int Pairs = 300;
    private const int RecordsPerPair = 5;

    [Fact]
    public void Random_compatible_writer_schemas_resolve_byte_for_byte_like_Apache_Avro()
    {
        var random = new RandomSchemaPairs(seed: 20261206);
        int records = 0;
        byte[] destination = new byte[1 << 16];
        for (int p = 0; p < Pairs; p++)
        {
            (Schema writer, Schema reader) = random.Pair();
            ResolutionNode? plan = ResolutionCompiler.Compile(writer, reader, out string? incompatibility, out string? partial);
            Assert.True(plan is not null, "pair " + p + ": " + incompatibility + "\nwriter " + writer + "\nreader " + reader);
            Assert.True(partial is null, "pair " + p + ": " + partial);
            for (int r = 0; r < RecordsPerPair; r++)
            {
                byte[] body = RandomSchemaPairs.Encode(writer, random.Datum(writer));
                byte[] expected = RandomSchemaPairs.ResolveWithApache(writer, reader, body);
                Assert.Equal(AvroStatus.Ok, SchemaResolutionTests.Transcode(plan, body, destination, out int written));
                Assert.True(expected.AsSpan().SequenceEqual(destination.AsSpan(0, written)),
                    "pair " + p + " record " + r + "\nwriter " + writer + "\nreader " + reader
                    + "\nexpected " + Convert.ToHexString(expected) + "\nactual   " + Convert.ToHexString(destination, 0, written));
                Assert.Equal(AvroStatus.Ok, SchemaResolutionTests.TranscodeBody(plan, body, destination, out written));
                Assert.True(expected.AsSpan().SequenceEqual(destination.AsSpan(0, written)),
                    "as a message body: pair " + p + " record " + r + "\nexpected " + Convert.ToHexString(expected) + "\nactual   " + Convert.ToHexString(destination, 0, written));
                records++;
            }
        }

        Assert.Equal(Pairs * RecordsPerPair, records);
    }
}
