using Sieve.Contracts.Avro;
using Sieve.Contracts.Records;

namespace Sieve.Fuzz.Harnesses;

/// <summary>
/// The span Avro decoders of the raw topics: <see cref="TelematicsEventCodec"/>, <see cref="WifiEventCodec"/> and
/// <see cref="ConsentChangeCodec"/>, each run on every input. Readers never throw on bad input
/// (<see cref="AvroStatus"/>); <see cref="AvroStatus.Truncated"/> is the only answer for a strict prefix of a
/// decodable message, and more bytes never turn another error into something else; a decoded message followed by
/// more bytes is <see cref="AvroStatus.TrailingBytes"/>; every slice lies inside the message.
/// </summary>
public static class RawRecordsHarness
{
    /// <summary>Name in the registry and the corpus folder.</summary>
    public const string Name = "raw-records";

    private static readonly byte[] Garbage = [0x00, 0x02, 0x41];

    private delegate AvroStatus Decoder(byte[] message);

    private static readonly (string Name, Decoder Decode)[] Decoders =
    [
        ("TelematicsEventCodec", DecodeTelematics),
        ("WifiEventCodec", DecodeWifi),
        ("ConsentChangeCodec", DecodeConsent),
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
        AvroStatus status = decode(message);
        Contract.Require(Name, Enum.IsDefined(status), $"{name} status {(int)status} is not a defined value");
        if (status == AvroStatus.Ok)
        {
            foreach (int length in Contract.PrefixLengths(message.Length))
            {
                AvroStatus prefix = decode(message[..length]);
                Contract.Require(Name, prefix == AvroStatus.Truncated, $"{name}: prefix of {length} of {message.Length} bytes gave {prefix}");
            }

            AvroStatus extended = decode([.. message, .. Garbage]);
            Contract.Require(Name, extended == AvroStatus.TrailingBytes, $"{name}: a decoded message followed by more bytes gave {extended}");
        }
        else if (status != AvroStatus.Truncated)
        {
            AvroStatus extended = decode([.. message, .. Garbage]);
            Contract.Require(Name, extended == status, $"{name}: {status} became {extended} with more bytes");
        }
    }

    private static AvroStatus DecodeTelematics(byte[] message)
    {
        AvroStatus status = TelematicsEventCodec.TryReadMessage(message, out TelematicsEvent value);
        if (status == AvroStatus.Ok)
        {
            Resolve(message, value.EventId, value.Vin, value.DeviceId);
            if (value.HasStatus)
            {
                ResolveArray(message, value.Status.DtcCodes);
            }

            if (value.HasDriver)
            {
                Resolve(message, value.Driver.Name, value.Driver.PhoneNumber, value.Driver.LicenseNumber);
            }
        }

        return status;
    }

    private static AvroStatus DecodeWifi(byte[] message)
    {
        AvroStatus status = WifiEventCodec.TryReadMessage(message, out WifiEvent value);
        if (status == AvroStatus.Ok)
        {
            Resolve(message, value.EventId, value.GatewayId, value.OutletId, value.ClientMac, value.PhoneNumber, value.DeviceId);
            ResolveArray(message, value.VisitedDomains);
        }

        return status;
    }

    private static AvroStatus DecodeConsent(byte[] message)
    {
        AvroStatus status = ConsentChangeCodec.TryReadMessage(message, out ConsentChange value);
        if (status == AvroStatus.Ok)
        {
            Contract.Require(Name, Enum.IsDefined(value.SubjectType), "ConsentChangeCodec decoded an undefined subject type");
            Resolve(message, value.SubjectId, value.Purpose, value.PolicyVersion);
        }

        return status;
    }

    private static void Resolve(byte[] message, params ReadOnlySpan<Utf8Slice> slices)
    {
        foreach (Utf8Slice slice in slices)
        {
            Contract.Require(Name, slice.IsNull || (slice.Offset >= 0 && slice.Length >= 0 && slice.Offset + (long)slice.Length <= message.Length),
                "a decoded slice lies outside the message");
            Contract.Require(Name, slice.IsNull || System.Text.Unicode.Utf8.IsValid(slice.Of(message)), "a decoded string is not valid UTF-8");
        }
    }

    private static void ResolveArray(byte[] message, StringArraySlice array)
    {
        int count = 0;
        foreach (ReadOnlySpan<byte> item in array.Enumerate(message))
        {
            Contract.Require(Name, System.Text.Unicode.Utf8.IsValid(item), "a decoded array item is not valid UTF-8");
            count++;
        }

        Contract.Require(Name, count == array.Count, $"a decoded array enumerates {count} items, not {array.Count}");
    }
}
