using System.Buffers;
using System.Buffers.Binary;

namespace Sieve.Core.Teltonika.Protocol;

/// <summary>
/// The unit's opening message: a 2-byte big-endian length (always 15) followed by the IMEI as ASCII digits. The
/// server answers <see cref="Accept"/> or <see cref="Reject"/>.
/// </summary>
public static class ImeiHandshake
{
    /// <summary>Digits of an IMEI.</summary>
    public const int ImeiLength = 15;

    /// <summary>Bytes of the whole opening message.</summary>
    public const int MessageLength = 2 + ImeiLength;

    /// <summary>The server's reply that accepts the unit.</summary>
    public const byte Accept = 0x01;

    /// <summary>The server's reply that rejects the unit.</summary>
    public const byte Reject = 0x00;

    /// <summary>
    /// Reads the opening message from the start of <paramref name="input"/>. The length is checked before waiting
    /// for the IMEI, so a wrong length is rejected without buffering.
    /// </summary>
    /// <param name="input">Bytes received so far.</param>
    /// <param name="imei">At least <see cref="ImeiLength"/> bytes; on <see cref="ImeiHandshakeStatus.Done"/> receives the ASCII digits.</param>
    /// <param name="consumed">On <see cref="ImeiHandshakeStatus.Done"/>, the end of the message; otherwise the start of the input.</param>
    public static ImeiHandshakeStatus TryRead(in ReadOnlySequence<byte> input, Span<byte> imei, out SequencePosition consumed)
    {
        consumed = input.Start;
        if (imei.Length < ImeiLength)
        {
            ThrowHelper.ThrowDestinationTooSmall(nameof(imei), ImeiLength);
        }

        if (input.Length < 2)
        {
            // A first byte other than 0 already rules out the length 0x000F.
            return input.Length == 1 && input.FirstSpan[0] != 0 ? ImeiHandshakeStatus.BadLength : ImeiHandshakeStatus.NeedMoreData;
        }

        Span<byte> lengthBytes = stackalloc byte[2];
        input.Slice(0, 2).CopyTo(lengthBytes);
        if (BinaryPrimitives.ReadUInt16BigEndian(lengthBytes) != ImeiLength)
        {
            return ImeiHandshakeStatus.BadLength;
        }

        if (input.Length < MessageLength)
        {
            return ImeiHandshakeStatus.NeedMoreData;
        }

        ReadOnlySequence<byte> digits = input.Slice(2, ImeiLength);
        digits.CopyTo(imei);
        if (imei[..ImeiLength].ContainsAnyExceptInRange((byte)'0', (byte)'9'))
        {
            return ImeiHandshakeStatus.NotDigits;
        }

        consumed = digits.End;
        return ImeiHandshakeStatus.Done;
    }
}
