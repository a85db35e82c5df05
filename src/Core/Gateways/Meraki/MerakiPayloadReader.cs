using System.Text.Json;
using Sieve.Contracts.Records;
using Sieve.Core.Gateways.Http;
using Sieve.Core.Gateways.Json;

namespace Sieve.Core.Gateways.Meraki;

/// <summary>
/// Reads the <c>data</c> object of a Meraki Scanning API v3 WiFi post (see
/// <c>developer.cisco.com/meraki/scanning-api/3-0</c>): <c>data.networkId</c> and <c>data.observations[]</c> with
/// <c>clientMac</c>, <c>latestRecord {time, nearestApMac, nearestApRssi}</c> and
/// <c>locations[] {lat, lng, time, unc, x, y, variance, floorPlanId, floorPlanName, nearestApTags, rssiRecords[{apMac, rssi}]}</c>.
/// Fields the receiver does not use, and fields added by later minor versions, are skipped. The first problem
/// found is answered with its reason code and field path.
/// </summary>
internal sealed class MerakiPayloadReader
{
    /// <summary>Most locations in one observation.</summary>
    public const int MaxLocations = 1024;

    /// <summary>Most RSSI readings in one location.</summary>
    public const int MaxRssiRecords = 256;

    /// <summary>Largest magnitude of an RSSI value accepted.</summary>
    public const int MaxRssiMagnitude = 255;

    /// <summary>Longest identifier-bearing string read before the identifier checks refuse it as too long.</summary>
    private const int MaxRawIdentifierBytes = 1024;

    private readonly long _nowMillis;
    private readonly int _maxObservations;

    /// <summary>Creates a reader that accepts times up to a day past <paramref name="nowMillis"/>.</summary>
    public MerakiPayloadReader(long nowMillis, int maxObservations)
    {
        _nowMillis = nowMillis;
        _maxObservations = maxObservations;
    }

    /// <summary>Reads <paramref name="json"/> (already checked well-formed by <see cref="MerakiEnvelope"/>).</summary>
    public bool TryRead(ReadOnlySpan<byte> json, out MerakiPayload? payload, out GatewayError error)
    {
        payload = null;
        var reader = new Utf8JsonReader(json, GatewayJson.ReaderOptions);
        try
        {
            reader.Read();
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                error = GatewayError.BadRequest(GatewayErrorCodes.InvalidFieldType, MerakiFields.Root);
                return false;
            }

            bool seenData = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                bool isData = reader.ValueTextEquals("data"u8);
                GatewayJson.ReadValue(ref reader);
                if (!isData)
                {
                    reader.Skip();
                    continue;
                }

                if (seenData)
                {
                    error = GatewayError.BadRequest(GatewayErrorCodes.DuplicateField, MerakiFields.Data);
                    return false;
                }

                seenData = true;
                if (!TryReadData(ref reader, out payload, out error))
                {
                    return false;
                }
            }

            if (!seenData)
            {
                error = GatewayError.BadRequest(GatewayErrorCodes.MissingField, MerakiFields.Data);
                return false;
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

        error = default;
        return true;
    }

    private bool TryReadData(ref Utf8JsonReader reader, out MerakiPayload? payload, out GatewayError error)
    {
        payload = null;
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            error = GatewayError.BadRequest(GatewayErrorCodes.InvalidFieldType, MerakiFields.Data);
            return false;
        }

        const int NetworkIdField = 0;
        const int ObservationsField = 1;
        var seen = default(FieldSet);
        string networkId = string.Empty;
        List<MerakiObservation>? observations = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            int field = reader.ValueTextEquals("networkId"u8) ? NetworkIdField
                : reader.ValueTextEquals("observations"u8) ? ObservationsField
                : -1;
            GatewayJson.ReadValue(ref reader);
            if (field < 0)
            {
                reader.Skip();
                continue;
            }

            string path = field == NetworkIdField ? MerakiFields.NetworkId : MerakiFields.Observations;
            if (!seen.TryMark(field))
            {
                error = GatewayError.BadRequest(GatewayErrorCodes.DuplicateField, path);
                return false;
            }

            if (field == NetworkIdField)
            {
                string? code = GatewayJson.ReadId(ref reader, RecordLimits.MaxIdLength, out networkId);
                if (code is not null)
                {
                    error = GatewayError.BadRequest(code, path);
                    return false;
                }
            }
            else if (!TryReadObservations(ref reader, out observations, out error))
            {
                return false;
            }
        }

        if (!seen.Has(NetworkIdField))
        {
            error = GatewayError.BadRequest(GatewayErrorCodes.MissingField, MerakiFields.NetworkId);
            return false;
        }

        if (observations is null)
        {
            error = GatewayError.BadRequest(GatewayErrorCodes.MissingField, MerakiFields.Observations);
            return false;
        }

        payload = new MerakiPayload(networkId, observations);
        error = default;
        return true;
    }

    private bool TryReadObservations(ref Utf8JsonReader reader, out List<MerakiObservation>? observations, out GatewayError error)
    {
        observations = null;
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            error = GatewayError.BadRequest(GatewayErrorCodes.InvalidFieldType, MerakiFields.Observations);
            return false;
        }

        var list = new List<MerakiObservation>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (list.Count == _maxObservations)
            {
                error = GatewayError.BadRequest(GatewayErrorCodes.TooManyItems, MerakiFields.Observations);
                return false;
            }

            if (!TryReadObservation(ref reader, list.Count, out MerakiObservation? observation, out error))
            {
                return false;
            }

            list.Add(observation!);
        }

        observations = list;
        error = default;
        return true;
    }

    private bool TryReadObservation(ref Utf8JsonReader reader, int index, out MerakiObservation? observation, out GatewayError error)
    {
        observation = null;
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            error = GatewayError.BadRequest(GatewayErrorCodes.InvalidFieldType, MerakiFields.Observation(index, ""));
            return false;
        }

        const int ClientMacField = 0;
        const int LatestRecordField = 1;
        const int LocationsField = 2;
        var seen = default(FieldSet);
        string? clientMac = null;
        var result = new MerakiObservation();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            int field = reader.ValueTextEquals("clientMac"u8) ? ClientMacField
                : reader.ValueTextEquals("latestRecord"u8) ? LatestRecordField
                : reader.ValueTextEquals("locations"u8) ? LocationsField
                : -1;
            GatewayJson.ReadValue(ref reader);
            if (field < 0)
            {
                // ipv4, ipv6, ssid, os, manufacturer, userId and anything a later minor version adds.
                reader.Skip();
                continue;
            }

            if (!seen.TryMark(field))
            {
                error = GatewayError.BadRequest(GatewayErrorCodes.DuplicateField, MerakiFields.Observation(index, FieldName(field)));
                return false;
            }

            if (field == ClientMacField)
            {
                string? code = GatewayJson.ReadString(ref reader, MaxRawIdentifierBytes, allowNull: false, out clientMac);
                if (code is not null)
                {
                    error = GatewayError.BadRequest(code == GatewayErrorCodes.FieldTooLong ? "invalid-mac-too-long" : code,
                        MerakiFields.Observation(index, ".clientMac"));
                    return false;
                }
            }
            else if (field == LatestRecordField)
            {
                if (!TryReadLatestRecord(ref reader, index, result, out error))
                {
                    return false;
                }
            }
            else if (!TryReadLocations(ref reader, index, result, out error))
            {
                return false;
            }
        }

        if (clientMac is null)
        {
            error = GatewayError.BadRequest(GatewayErrorCodes.MissingField, MerakiFields.Observation(index, ".clientMac"));
            return false;
        }

        if (result.EventTime is null)
        {
            error = GatewayError.BadRequest(GatewayErrorCodes.MissingObservationTime, MerakiFields.Observation(index, ".latestRecord.time"));
            return false;
        }

        result.ClientMac = clientMac;
        observation = result;
        error = default;
        return true;
    }

    private bool TryReadLatestRecord(ref Utf8JsonReader reader, int index, MerakiObservation result, out GatewayError error)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            error = default;
            return true;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            error = GatewayError.BadRequest(GatewayErrorCodes.InvalidFieldType, MerakiFields.Observation(index, ".latestRecord"));
            return false;
        }

        const int TimeField = 0;
        const int RssiField = 1;
        var seen = default(FieldSet);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            int field = reader.ValueTextEquals("time"u8) ? TimeField
                : reader.ValueTextEquals("nearestApRssi"u8) ? RssiField
                : -1;
            GatewayJson.ReadValue(ref reader);
            if (field < 0)
            {
                // nearestApMac: the access point, not the client.
                reader.Skip();
                continue;
            }

            string path = field == TimeField ? ".latestRecord.time" : ".latestRecord.nearestApRssi";
            if (!seen.TryMark(field))
            {
                error = GatewayError.BadRequest(GatewayErrorCodes.DuplicateField, MerakiFields.Observation(index, path));
                return false;
            }

            string? code;
            if (field == TimeField)
            {
                code = GatewayJson.ReadTime(ref reader, _nowMillis, out long time);
                result.LatestRecordTime = time;
            }
            else
            {
                code = GatewayJson.ReadInt(ref reader, -MaxRssiMagnitude, MaxRssiMagnitude, out int? rssi);
                result.NearestApRssi = rssi;
            }

            if (code is not null)
            {
                error = GatewayError.BadRequest(code, MerakiFields.Observation(index, path));
                return false;
            }
        }

        if (!seen.Has(TimeField))
        {
            error = GatewayError.BadRequest(GatewayErrorCodes.MissingField, MerakiFields.Observation(index, ".latestRecord.time"));
            return false;
        }

        error = default;
        return true;
    }

    private bool TryReadLocations(ref Utf8JsonReader reader, int index, MerakiObservation result, out GatewayError error)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            error = default;
            return true;
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            error = GatewayError.BadRequest(GatewayErrorCodes.InvalidFieldType, MerakiFields.Observation(index, ".locations"));
            return false;
        }

        int count = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (count == MaxLocations)
            {
                error = GatewayError.BadRequest(GatewayErrorCodes.TooManyItems, MerakiFields.Observation(index, ".locations"));
                return false;
            }

            if (!TryReadLocation(ref reader, index, count, result, out error))
            {
                return false;
            }

            count++;
        }

        error = default;
        return true;
    }

    private bool TryReadLocation(ref Utf8JsonReader reader, int index, int location, MerakiObservation result, out GatewayError error)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            error = GatewayError.BadRequest(GatewayErrorCodes.InvalidFieldType, MerakiFields.Location(index, location, ""));
            return false;
        }

        const int TimeField = 0;
        const int LatField = 1;
        const int LngField = 2;
        const int RssiRecordsField = 3;
        var seen = default(FieldSet);
        long time = 0;
        double? lat = null;
        double? lng = null;
        int? strongest = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            int field = reader.ValueTextEquals("time"u8) ? TimeField
                : reader.ValueTextEquals("lat"u8) ? LatField
                : reader.ValueTextEquals("lng"u8) ? LngField
                : reader.ValueTextEquals("rssiRecords"u8) ? RssiRecordsField
                : -1;
            GatewayJson.ReadValue(ref reader);
            if (field < 0)
            {
                // unc, x, y, variance, floorPlanId, floorPlanName, nearestApTags: not in the raw schema.
                reader.Skip();
                continue;
            }

            string rest = field switch
            {
                TimeField => ".time",
                LatField => ".lat",
                LngField => ".lng",
                _ => ".rssiRecords",
            };
            if (!seen.TryMark(field))
            {
                error = GatewayError.BadRequest(GatewayErrorCodes.DuplicateField, MerakiFields.Location(index, location, rest));
                return false;
            }

            string? code = null;
            switch (field)
            {
                case TimeField:
                    code = GatewayJson.ReadTime(ref reader, _nowMillis, out time);
                    break;
                case LatField:
                    code = GatewayJson.ReadNumber(ref reader, out lat);
                    if (code is null && lat is < -90 or > 90)
                    {
                        code = GatewayErrorCodes.OutOfRange;
                    }

                    break;
                case LngField:
                    code = GatewayJson.ReadNumber(ref reader, out lng);
                    if (code is null && lng is < -180 or > 180)
                    {
                        code = GatewayErrorCodes.OutOfRange;
                    }

                    break;
                default:
                    if (!TryReadRssiRecords(ref reader, index, location, out strongest, out error))
                    {
                        return false;
                    }

                    break;
            }

            if (code is not null)
            {
                error = GatewayError.BadRequest(code, MerakiFields.Location(index, location, rest));
                return false;
            }
        }

        if (!seen.Has(TimeField))
        {
            error = GatewayError.BadRequest(GatewayErrorCodes.MissingField, MerakiFields.Location(index, location, ".time"));
            return false;
        }

        if (result.NewestLocationTime is null || time > result.NewestLocationTime)
        {
            result.NewestLocationTime = time;
        }

        if (lat is not null && lng is not null && (!result.HasCoordinates || time > result.CoordinatesTime))
        {
            result.HasCoordinates = true;
            result.CoordinatesTime = time;
            result.Latitude = lat.Value;
            result.Longitude = lng.Value;
            result.CoordinatesRssi = strongest;
        }

        error = default;
        return true;
    }

    private static bool TryReadRssiRecords(ref Utf8JsonReader reader, int index, int location, out int? strongest, out GatewayError error)
    {
        strongest = null;
        if (reader.TokenType == JsonTokenType.Null)
        {
            error = default;
            return true;
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            error = GatewayError.BadRequest(GatewayErrorCodes.InvalidFieldType, MerakiFields.Location(index, location, ".rssiRecords"));
            return false;
        }

        int count = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (count == MaxRssiRecords)
            {
                error = GatewayError.BadRequest(GatewayErrorCodes.TooManyItems, MerakiFields.Location(index, location, ".rssiRecords"));
                return false;
            }

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                error = GatewayError.BadRequest(GatewayErrorCodes.InvalidFieldType, MerakiFields.Location(index, location, ".rssiRecords"));
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                bool isRssi = reader.ValueTextEquals("rssi"u8);
                GatewayJson.ReadValue(ref reader);
                if (!isRssi)
                {
                    // apMac: the access point, not the client.
                    reader.Skip();
                    continue;
                }

                string? code = GatewayJson.ReadInt(ref reader, -MaxRssiMagnitude, MaxRssiMagnitude, out int? rssi);
                if (code is not null)
                {
                    error = GatewayError.BadRequest(code, MerakiFields.Location(index, location, MerakiFields.RssiRecord(count)));
                    return false;
                }

                if (rssi is not null && (strongest is null || rssi > strongest))
                {
                    strongest = rssi;
                }
            }

            count++;
        }

        error = default;
        return true;
    }

    private static string FieldName(int field) => field switch
    {
        0 => ".clientMac",
        1 => ".latestRecord",
        _ => ".locations",
    };
}
