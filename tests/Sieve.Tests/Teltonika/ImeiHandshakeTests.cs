using System.Buffers;
using System.Text;
using Sieve.Core.Teltonika.Protocol;
using Sieve.Testing.Teltonika;

namespace Sieve.Tests.Teltonika;

public sealed class ImeiHandshakeTests
{
    [Fact]
    public void Documentation_handshake_reads_the_imei_whole_and_split()
    {
        byte[] input = [.. DocumentationExamples.Handshake, .. DocumentationExamples.Codec8First[..5]];
        foreach ((string shape, ReadOnlySequence<byte> sequence) in SegmentedSequence.WholeAndSplit(input))
        {
            byte[] imei = new byte[ImeiHandshake.ImeiLength];
            ImeiHandshakeStatus status = ImeiHandshake.TryRead(sequence, imei, out SequencePosition consumed);
            Assert.True(status == ImeiHandshakeStatus.Done, shape + ": " + status);
            Assert.Equal(DocumentationExamples.Imei, Encoding.ASCII.GetString(imei));
            Assert.Equal(5, sequence.Slice(consumed).Length);
        }
    }

    [Fact]
    public void Every_strict_prefix_needs_more_data()
    {
        byte[] imei = new byte[ImeiHandshake.ImeiLength];
        for (int length = 0; length < DocumentationExamples.Handshake.Length; length++)
        {
            ReadOnlySequence<byte> prefix = SegmentedSequence.Create(DocumentationExamples.Handshake[..length]);
            Assert.Equal(ImeiHandshakeStatus.NeedMoreData, ImeiHandshake.TryRead(prefix, imei, out SequencePosition consumed));
            Assert.Equal(prefix.Start, consumed);
        }
    }

    [Theory]
    [InlineData("0010", ImeiHandshakeStatus.BadLength)]
    [InlineData("000E", ImeiHandshakeStatus.BadLength)]
    [InlineData("0000", ImeiHandshakeStatus.BadLength)]
    [InlineData("FF", ImeiHandshakeStatus.BadLength)]
    [InlineData("474554202F20", ImeiHandshakeStatus.BadLength)]
    [InlineData("000F3335363330373034323434313031", ImeiHandshakeStatus.NeedMoreData)]
    [InlineData("000F33353633303730343234343130312F", ImeiHandshakeStatus.NotDigits)]
    [InlineData("000F203536333037303432343431303133", ImeiHandshakeStatus.NotDigits)]
    [InlineData("000F33353633303730343234343130313A", ImeiHandshakeStatus.NotDigits)]
    public void Malformed_handshakes_get_their_specific_status(string hex, ImeiHandshakeStatus expected)
    {
        byte[] imei = new byte[ImeiHandshake.ImeiLength];
        foreach ((string shape, ReadOnlySequence<byte> sequence) in SegmentedSequence.WholeAndSplit(Convert.FromHexString(hex)))
        {
            Assert.True(ImeiHandshake.TryRead(sequence, imei, out _) == expected, shape);
        }
    }
}
