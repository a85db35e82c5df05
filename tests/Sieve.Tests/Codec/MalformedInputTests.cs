using Sieve.Contracts.Avro;
using Sieve.Contracts.Records;
using Sieve.Contracts.Schemas;

namespace Sieve.Tests.Codec;

/// <summary>Bad bytes give a specific status, never an exception and never a read outside the input.</summary>
public sealed class MalformedInputTests
{
    private static readonly TelematicsEventData Sample = new()
    {
        EventId = "evt-1",
        Vin = "LSVAU2180N2183294",
        DeviceId = "490154203237518",
        EventTime = 1_764_000_000_000,
        Location = new GeoLocationData(31.2304, 121.4737, 42.5f, 90f, 12f),
        Status = new VehicleStatusData(12345.6, 55f, 12.6f, true, ["P0301", "P0420"]),
        Driver = new DriverData("Li Lei", "+8613800138000", "310101199001011234"),
    };

    [Fact]
    public void Every_truncation_of_a_valid_message_is_reported_not_thrown()
    {
        byte[] message = Sample.ToMessage();
        for (int length = 0; length < message.Length; length++)
        {
            AvroStatus status = TelematicsEventCodec.TryReadMessage(message.AsSpan(0, length), out _);
            Assert.True(status is AvroStatus.Truncated, $"length {length}: {status}");
        }

        Assert.Equal(AvroStatus.Ok, TelematicsEventCodec.TryReadMessage(message, out _));
    }

    [Fact]
    public void Random_corruption_never_throws()
    {
        byte[] message = Sample.ToMessage();
        var random = new Random(12345);
        var seen = new HashSet<AvroStatus>();
        for (int i = 0; i < 20_000; i++)
        {
            byte[] copy = (byte[])message.Clone();
            int flips = random.Next(1, 4);
            for (int f = 0; f < flips; f++)
            {
                copy[random.Next(SingleObjectEncoding.HeaderLength, copy.Length)] = (byte)random.Next(256);
            }

            seen.Add(TelematicsEventCodec.TryReadMessage(copy, out _));
            seen.Add(WifiEventCodec.TryReadMessage(copy, out _));
        }

        Assert.Contains(AvroStatus.Ok, seen);
        Assert.True(seen.Count > 4, string.Join(",", seen));
    }

    [Fact]
    public void Wrong_marker_and_unknown_fingerprint_are_named()
    {
        byte[] message = Sample.ToMessage();
        byte[] badMarker = (byte[])message.Clone();
        badMarker[0] = 0x4F;
        Assert.Equal(AvroStatus.BadMarker, TelematicsEventCodec.TryReadMessage(badMarker, out _));

        byte[] otherFingerprint = (byte[])message.Clone();
        otherFingerprint[5] ^= 0xFF;
        Assert.Equal(AvroStatus.UnknownFingerprint, TelematicsEventCodec.TryReadMessage(otherFingerprint, out _));

        // A Wi-Fi reader given a telematics message: the fingerprint says so.
        Assert.Equal(AvroStatus.UnknownFingerprint, WifiEventCodec.TryReadMessage(message, out _));
    }

    [Fact]
    public void Trailing_bytes_are_rejected()
    {
        byte[] message = [.. Sample.ToMessage(), 0x00];
        Assert.Equal(AvroStatus.TrailingBytes, TelematicsEventCodec.TryReadMessage(message, out _));
    }

    // Regressions kept as byte literals: header for TelematicsEvent followed by a body.
    [Theory]
    // eventId length = 2^62 (varint 10 bytes, legal) but far beyond the cap
    [InlineData("80808080808080808001", AvroStatus.LengthTooLarge)]
    // an 11-byte varint
    [InlineData("8080808080808080808001", AvroStatus.VarintTooLong)]
    // tenth varint byte carries more than the 64th bit
    [InlineData("80808080808080808002", AvroStatus.VarintTooLong)]
    // negative eventId length (-1)
    [InlineData("01", AvroStatus.NegativeLength)]
    // eventId claims 5 bytes, 2 present
    [InlineData("0A6162", AvroStatus.Truncated)]
    // eventId with an invalid UTF-8 byte
    [InlineData("02FF", AvroStatus.InvalidUtf8)]
    // ids "a","b","c", time 0, location union index 2
    [InlineData("026102620263" + "00" + "04", AvroStatus.InvalidUnionIndex)]
    // ids, time, no location, status present, odometer null, fuel null, battery null, engineOn=true with byte 2
    [InlineData("026102620263" + "00" + "00" + "02" + "00" + "00" + "00" + "02" + "02", AvroStatus.InvalidBoolean)]
    // ... dtcCodes block count 2^39: more items than the cap
    [InlineData("026102620263" + "00" + "00" + "02" + "00" + "00" + "00" + "00" + "808080808040", AvroStatus.TooManyItems)]
    // ... dtcCodes block count 3 with one byte left
    [InlineData("026102620263" + "00" + "00" + "02" + "00" + "00" + "00" + "00" + "0602", AvroStatus.Truncated)]
    public void Fuzz_regressions(string bodyHex, AvroStatus expected)
    {
        byte[] message = new byte[SingleObjectEncoding.HeaderLength + (bodyHex.Length / 2)];
        SingleObjectEncoding.WriteHeader(message, SchemaFingerprints.TelematicsEvent);
        Convert.FromHexString(bodyHex).CopyTo(message, SingleObjectEncoding.HeaderLength);
        Assert.Equal(expected, TelematicsEventCodec.TryReadMessage(message, out _));
    }

    [Theory]
    [InlineData("", AvroStatus.Truncated)]
    [InlineData("C3", AvroStatus.Truncated)]
    [InlineData("C301AABB", AvroStatus.Truncated)]
    [InlineData("0000", AvroStatus.BadMarker)]
    public void Short_headers(string hex, AvroStatus expected)
    {
        Assert.Equal(expected, SingleObjectEncoding.TryReadHeader(Convert.FromHexString(hex), out _));
    }

    [Fact]
    public void Int_fields_reject_values_beyond_32_bits()
    {
        Span<byte> buffer = stackalloc byte[16];
        var writer = new AvroWriter(buffer);
        writer.WriteLong((long)int.MaxValue + 1);
        var reader = new AvroReader(writer.Written);
        Assert.Equal(AvroStatus.IntOverflow, reader.TryReadInt(out _));
    }

    [Fact]
    public void Long_varints_round_trip_at_the_edges()
    {
        Span<byte> buffer = stackalloc byte[16];
        foreach (long value in new[] { 0L, -1L, 1L, 63L, -64L, 64L, long.MaxValue, long.MinValue, int.MaxValue, int.MinValue })
        {
            var writer = new AvroWriter(buffer);
            writer.WriteLong(value);
            Assert.False(writer.Overflowed);
            Assert.True(writer.Position <= AvroReader.MaxLongVarintBytes);
            var reader = new AvroReader(writer.Written);
            Assert.Equal(AvroStatus.Ok, reader.TryReadLong(out long back));
            Assert.Equal(value, back);
            Assert.Equal(AvroStatus.Ok, reader.ExpectEnd());
        }
    }

    [Fact]
    public void Writer_reports_overflow_instead_of_writing_past_the_span()
    {
        Span<byte> buffer = stackalloc byte[8];
        var writer = new AvroWriter(buffer);
        writer.WriteString("0123456789"u8);
        Assert.True(writer.Overflowed);
        Assert.True(writer.Position <= buffer.Length);
    }
}
