using System.Text;
using Sieve.Core.Gateways.Http;
using Sieve.Core.Gateways.Portal;

namespace Sieve.Fuzz.Harnesses;

/// <summary>
/// Captive-portal logins and sessions: every input is read by <see cref="PortalRequestReader.TryRead"/> as a login
/// and as a session. It never throws; a refusal is a documented code with a documented field, JSON position or
/// unknown-field offset and no value from the body; an accepted body followed by anything but whitespace is invalid.
/// </summary>
public static class PortalHarness
{
    /// <summary>Name in the registry and the corpus folder.</summary>
    public const string Name = "portal";

    /// <summary>Checks the reader on <paramref name="input"/>, as both kinds of record.</summary>
    public static void Run(ReadOnlySpan<byte> input)
    {
        if (input.Length > Contract.MaxInputBytes)
        {
            return;
        }

        byte[] body = input.ToArray();
        Contract.NoUndocumentedException(Name, "PortalRequestReader", () =>
        {
            Check(body, PortalRecordKind.Login);
            Check(body, PortalRecordKind.Session);
        });
    }

    private static void Check(byte[] body, PortalRecordKind kind)
    {
        var reader = new PortalRequestReader(MerakiHarness.NowMillis);
        if (!reader.TryRead(body, kind, out PortalRecord? record, out GatewayError error))
        {
            Contract.Require(Name, record is null, "refused with a record");
            GatewayErrors.Check(Name, error, body, GatewayErrors.PortalPath());
            return;
        }

        Contract.Require(Name, record is not null && record.Kind == kind, "accepted without a record of the kind asked for");
        Contract.Require(Name, record.GatewayId.Length > 0 && record.OutletId.Length > 0, "accepted with an empty gateway or outlet id");
        Contract.Require(Name, kind != PortalRecordKind.Login || record.PhoneNumber is not null, "a login accepted without a phone number");
        Contract.Require(Name, kind != PortalRecordKind.Session || (record.End >= record.Time && record.End - record.Time <= (long)PortalRequestReader.MaxSessionLength.TotalMilliseconds),
            "a session accepted with a bad length");
        Contract.Require(Name, record.Rssi is null or >= -255 and <= 255, "accepted RSSI out of range");
        Contract.Require(Name, record.VisitedDomains.All(HostName.IsValid), "accepted a visited domain that is not a host name");
        Contract.Require(Name, Encoding.UTF8.GetByteCount(record.ClientMac) <= 1024, "accepted a client MAC longer than the cap");

        bool again = reader.TryRead([.. body, .. "x"u8], kind, out _, out GatewayError trailing);
        Contract.Require(Name, !again && trailing.Code == GatewayErrorCodes.InvalidJson, "an accepted body followed by 'x' was not invalid-json");
    }
}
