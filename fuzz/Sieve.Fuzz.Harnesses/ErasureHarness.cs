using System.Text.RegularExpressions;
using Sieve.Core.Erasure;

namespace Sieve.Fuzz.Harnesses;

/// <summary>
/// The erasure topics' messages: <see cref="ErasureCodec.TryDecodeRequest"/> (and the notice and receipt decoders
/// on the same bytes). They never throw: a message that is not one is a short kebab-case reason code, which never
/// holds text from the message; an accepted request's id passes <see cref="ErasureRequestId.Problem"/>; a decoded
/// message followed by more bytes, or cut short, is refused.
/// </summary>
public static partial class ErasureHarness
{
    /// <summary>Name in the registry and the corpus folder.</summary>
    public const string Name = "erasure";

    private delegate bool Decoder(byte[] message, out string? reasonCode);

    private static readonly (string Name, Decoder Decode)[] Decoders =
    [
        ("ErasureCodec.TryDecodeRequest", DecodeRequest),
        ("ErasureCodec.TryDecodeNotice", (byte[] m, out string? r) => ErasureCodec.TryDecodeNotice(m, out _, out r)),
        ("ErasureCodec.TryDecodeReceipt", (byte[] m, out string? r) => ErasureCodec.TryDecodeReceipt(m, out _, out r)),
    ];

    /// <summary>Checks the three decoders on <paramref name="input"/>.</summary>
    public static void Run(ReadOnlySpan<byte> input)
    {
        if (input.Length > Contract.MaxInputBytes)
        {
            return;
        }

        byte[] message = input.ToArray();
        foreach ((string name, Decoder decode) in Decoders)
        {
            Contract.NoUndocumentedException(Name, name, () => Check(name, decode, message));
        }
    }

    private static void Check(string name, Decoder decode, byte[] message)
    {
        if (!Decoded(name, decode, message))
        {
            return;
        }

        Contract.Require(Name, !Decoded(name, decode, [.. message, 0x00]), $"{name} accepted a decoded message followed by another byte");
        if (message.Length > 0)
        {
            Contract.Require(Name, !Decoded(name, decode, message[..^1]), $"{name} accepted a decoded message without its last byte");
        }
    }

    /// <summary>True when <paramref name="message"/> decodes; otherwise checks the reason code and returns false.</summary>
    private static bool Decoded(string name, Decoder decode, byte[] message)
    {
        if (decode(message, out string? reasonCode))
        {
            return true;
        }

        Contract.Require(Name, reasonCode is not null && ReasonCode().IsMatch(reasonCode), $"{name} refused with a reason code that is not a short kebab-case code");
        Contract.NoIdentifierIn(Name, reasonCode, message);
        return false;
    }

    private static bool DecodeRequest(byte[] message, out string? reasonCode)
    {
        if (!ErasureCodec.TryDecodeRequest(message, out ErasureRequest? request, out reasonCode))
        {
            return false;
        }

        Contract.Require(Name, ErasureRequestId.Problem(request.RequestId, request.SubjectType, request.SubjectId) is null, "accepted a request whose id has a problem");
        Contract.Require(Name, Enum.IsDefined(request.Reason) && Enum.IsDefined(request.SubjectType), "accepted a request with an undefined reason or subject type");
        return true;
    }

    [GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex ReasonCode();
}
