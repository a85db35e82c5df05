using System.Globalization;
using System.Text.Json;
using Sieve.Contracts.Records;
using Sieve.Core.Gateways.Http;
using Sieve.Core.Gateways.Json;

namespace Sieve.Core.Gateways.Portal;

/// <summary>
/// Reads a portal login or session. The portal API is ours, so it is strict: unknown fields are refused (a
/// misspelt <c>phoneNumber</c> would otherwise silently change whose data this is), as are duplicates, wrong types
/// and missing required fields. The first problem is answered with its code and field (or, for an unknown field,
/// its byte offset, since its name may be anything).
/// </summary>
internal sealed class PortalRequestReader
{
    /// <summary>Longest session accepted.</summary>
    public static readonly TimeSpan MaxSessionLength = TimeSpan.FromDays(7);

    private const int MaxRawIdentifierBytes = 1024;

    private const int GatewayIdField = 0;
    private const int OutletIdField = 1;
    private const int ClientMacField = 2;
    private const int PhoneNumberField = 3;
    private const int DeviceIdField = 4;
    private const int TimeField = 5;
    private const int StartField = 6;
    private const int EndField = 7;
    private const int RssiField = 8;
    private const int VisitedDomainsField = 9;

    private static readonly string[] Names =
    [
        PortalFields.GatewayId, PortalFields.OutletId, PortalFields.ClientMac, PortalFields.PhoneNumber, PortalFields.DeviceId,
        PortalFields.Time, PortalFields.Start, PortalFields.End, PortalFields.Rssi, PortalFields.VisitedDomains,
    ];

    private readonly long _nowMillis;

    /// <summary>Creates a reader that accepts times up to a day past <paramref name="nowMillis"/>.</summary>
    public PortalRequestReader(long nowMillis) => _nowMillis = nowMillis;

    /// <summary>Reads a <paramref name="kind"/> record from <paramref name="json"/>.</summary>
    public bool TryRead(ReadOnlySpan<byte> json, PortalRecordKind kind, out PortalRecord? record, out GatewayError error)
    {
        record = null;
        var reader = new Utf8JsonReader(json, GatewayJson.ReaderOptions);
        var result = new PortalRecord { Kind = kind };
        var seen = default(FieldSet);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                // A broken document is invalid-json wherever it breaks; a whole one of the wrong shape is not an object.
                while (reader.Read())
                {
                }

                error = GatewayError.BadRequest(GatewayErrorCodes.InvalidFieldType, PortalFields.Root);
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                int field = FieldOf(ref reader, kind);
                if (field < 0)
                {
                    error = new GatewayError(400, GatewayErrorCodes.UnknownField, null, -1, reader.TokenStartIndex);
                    return false;
                }

                GatewayJson.ReadValue(ref reader);
                if (!seen.TryMark(field))
                {
                    error = GatewayError.BadRequest(GatewayErrorCodes.DuplicateField, Names[field]);
                    return false;
                }

                if (!TryReadField(ref reader, field, result, out error))
                {
                    return false;
                }
            }

            // Trailing content after the object throws here.
            while (reader.Read())
            {
            }
        }
        catch (JsonException e)
        {
            error = GatewayJson.InvalidJson(e);
            return false;
        }
        catch (InvalidOperationException)
        {
            error = GatewayJson.UndecodableText(reader.TokenStartIndex);
            return false;
        }

        if (!CheckRequired(seen, kind, result, out error))
        {
            return false;
        }

        record = result;
        return true;
    }

    private static int FieldOf(ref Utf8JsonReader reader, PortalRecordKind kind)
    {
        for (int i = 0; i < Names.Length; i++)
        {
            if (reader.ValueTextEquals(Names[i]))
            {
                bool allowed = i switch
                {
                    TimeField => kind == PortalRecordKind.Login,
                    StartField or EndField or VisitedDomainsField => kind == PortalRecordKind.Session,
                    _ => true,
                };
                return allowed ? i : -1;
            }
        }

        return -1;
    }

    private bool TryReadField(ref Utf8JsonReader reader, int field, PortalRecord result, out GatewayError error)
    {
        string? code;
        switch (field)
        {
            case GatewayIdField:
                code = GatewayJson.ReadId(ref reader, RecordLimits.MaxIdLength, out string gateway);
                result.GatewayId = gateway;
                break;
            case OutletIdField:
                code = GatewayJson.ReadId(ref reader, RecordLimits.MaxIdLength, out string outlet);
                result.OutletId = outlet;
                break;
            case ClientMacField:
                code = ReadIdentifier(ref reader, allowNull: false, "invalid-mac-too-long", out string? mac);
                result.ClientMac = mac ?? string.Empty;
                break;
            case PhoneNumberField:
                code = ReadIdentifier(ref reader, allowNull: true, "invalid-phone-too-long", out string? phone);
                result.PhoneNumber = phone;
                break;
            case DeviceIdField:
                code = ReadIdentifier(ref reader, allowNull: true, "invalid-device-id-too-long", out string? device);
                result.DeviceId = device;
                break;
            case TimeField:
            case StartField:
                code = GatewayJson.ReadTime(ref reader, _nowMillis, out long time);
                result.Time = time;
                break;
            case EndField:
                code = GatewayJson.ReadTime(ref reader, _nowMillis, out long end);
                result.End = end;
                break;
            case RssiField:
                code = GatewayJson.ReadInt(ref reader, -255, 255, out int? rssi);
                result.Rssi = rssi;
                break;
            default:
                return TryReadDomains(ref reader, result, out error);
        }

        error = code is null ? default : GatewayError.BadRequest(code, Names[field]);
        return code is null;
    }

    private static string? ReadIdentifier(ref Utf8JsonReader reader, bool allowNull, string tooLongCode, out string? value)
    {
        string? code = GatewayJson.ReadString(ref reader, MaxRawIdentifierBytes, allowNull, out value);
        return code == GatewayErrorCodes.FieldTooLong ? tooLongCode : code;
    }

    private static bool TryReadDomains(ref Utf8JsonReader reader, PortalRecord result, out GatewayError error)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            error = default;
            return true;
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            error = GatewayError.BadRequest(GatewayErrorCodes.InvalidFieldType, PortalFields.VisitedDomains);
            return false;
        }

        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            int index = result.VisitedDomains.Count;
            if (index == RecordLimits.MaxVisitedDomains)
            {
                error = GatewayError.BadRequest(GatewayErrorCodes.TooManyItems, PortalFields.VisitedDomains);
                return false;
            }

            string? code = GatewayJson.ReadString(ref reader, HostName.MaxLength, allowNull: false, out string? domain);
            if (code is null && !HostName.IsValid(domain!))
            {
                code = GatewayErrorCodes.InvalidDomainFormat;
            }

            if (code is not null)
            {
                error = GatewayError.BadRequest(code == GatewayErrorCodes.FieldTooLong ? GatewayErrorCodes.InvalidDomainFormat : code,
                    PortalFields.VisitedDomains + "[" + index.ToString(CultureInfo.InvariantCulture) + "]");
                return false;
            }

            result.VisitedDomains.Add(domain!);
        }

        error = default;
        return true;
    }

    private static bool CheckRequired(FieldSet seen, PortalRecordKind kind, PortalRecord result, out GatewayError error)
    {
        ReadOnlySpan<int> required = kind == PortalRecordKind.Login
            ? [GatewayIdField, OutletIdField, ClientMacField, PhoneNumberField, TimeField]
            : [GatewayIdField, OutletIdField, ClientMacField, StartField, EndField];
        foreach (int field in required)
        {
            if (!seen.Has(field))
            {
                error = GatewayError.BadRequest(GatewayErrorCodes.MissingField, Names[field]);
                return false;
            }
        }

        if (kind == PortalRecordKind.Login && result.PhoneNumber is null)
        {
            // A login is an SMS login: phoneNumber: null is as good as missing.
            error = GatewayError.BadRequest(GatewayErrorCodes.MissingField, PortalFields.PhoneNumber);
            return false;
        }

        if (kind == PortalRecordKind.Session
            && (result.End < result.Time || result.End - result.Time > (long)MaxSessionLength.TotalMilliseconds))
        {
            error = GatewayError.BadRequest(GatewayErrorCodes.InvalidSessionLength, PortalFields.End);
            return false;
        }

        error = default;
        return true;
    }
}
