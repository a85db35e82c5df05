using System.Text.Json;
using Sieve.Contracts.Records;
using Sieve.Core.Policy;

namespace Sieve.Commands.Policy;

/// <summary>
/// Reads a sample raw event from JSON (format: <c>samples/README.md</c>). The object mirrors the Avro record
/// field by field (<c>schemas/telematics-event.avsc</c>, <c>schemas/wifi-event.avsc</c>) plus
/// <c>"type": "telematics" | "wifi"</c>; times are ISO 8601 strings or Unix milliseconds. Unknown properties are
/// rejected so a misspelt field is not silently absent. Identifiers are not checked here: an invalid one is
/// for the minimizer to quarantine, which is worth seeing.
/// </summary>
internal static class SampleEventReader
{
    /// <summary>Largest sample file read.</summary>
    public const int MaxFileBytes = 1024 * 1024;

    private static readonly string[] TelematicsFields = ["type", "eventId", "vin", "deviceId", "eventTime", "location", "status", "driver"];
    private static readonly string[] WifiFields =
        ["type", "eventId", "gatewayId", "outletId", "eventTime", "clientMac", "phoneNumber", "deviceId", "location", "rssi", "visitedDomains", "dwellSeconds"];

    private static readonly string[] LocationFields = ["latitude", "longitude", "speedKph", "headingDeg", "altitudeM"];
    private static readonly string[] StatusFields = ["odometerKm", "fuelLevelPct", "batteryVoltage", "engineOn", "dtcCodes"];
    private static readonly string[] DriverFields = ["name", "phoneNumber", "licenseNumber"];

    /// <summary>Reads the sample event file at <paramref name="path"/>.</summary>
    /// <exception cref="CliException">The file cannot be read, is not JSON, or is not a sample event (usage error).</exception>
    public static SampleEvent ReadFile(string path)
    {
        byte[] content;
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                return ThrowHelper.Usage<SampleEvent>($"event file '{path}' does not exist; see samples/ for examples");
            }

            if (info.Length > MaxFileBytes)
            {
                return ThrowHelper.Usage<SampleEvent>($"event file '{path}' is larger than {MaxFileBytes} bytes");
            }

            content = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return ThrowHelper.Usage<SampleEvent>($"event file '{path}' cannot be read ({e.GetType().Name})");
        }

        return Parse(content, path);
    }

    /// <summary>Parses a sample event; errors name <paramref name="source"/>.</summary>
    /// <exception cref="CliException">Not JSON, or not a sample event (usage error).</exception>
    public static SampleEvent Parse(ReadOnlyMemory<byte> utf8Json, string source)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8Json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, MaxDepth = 8 });
        }
        catch (JsonException e)
        {
            // The parser's message can quote the text it stopped at; only the position is reported.
            string at = e.LineNumber is long line && e.BytePositionInLine is long column ? $" at line {line + 1}, byte {column + 1}" : "";
            return ThrowHelper.Usage<SampleEvent>($"{source} is not valid JSON{at}");
        }

        using (document)
        {
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return ThrowHelper.Usage<SampleEvent>($"{source}: the top level must be a JSON object with \"type\": \"telematics\" or \"wifi\"");
            }

            string? type = root.TryGetProperty("type", out JsonElement typeElement) && typeElement.ValueKind == JsonValueKind.String ? typeElement.GetString() : null;
            return type switch
            {
                "telematics" => ReadTelematics(JsonObjectReader.Create(root, source, "$", "a telematics event", TelematicsFields)),
                "wifi" => ReadWifi(JsonObjectReader.Create(root, source, "$", "a Wi-Fi event", WifiFields)),
                _ => ThrowHelper.Usage<SampleEvent>($"{source}: $.type must be \"telematics\" or \"wifi\""),
            };
        }
    }

    private static SampleEvent ReadTelematics(JsonObjectReader o)
    {
        var e = new TelematicsEventData
        {
            EventId = o.RequiredString("eventId"),
            Vin = o.RequiredString("vin"),
            DeviceId = o.RequiredString("deviceId"),
            EventTime = o.RequiredTime("eventTime"),
            Location = ReadLocation(o),
            Status = o.Object("status", "a vehicle status", StatusFields) is { } s
                ? new VehicleStatusData(s.OptionalDouble("odometerKm"), s.OptionalFloat("fuelLevelPct"), s.OptionalFloat("batteryVoltage"),
                    s.OptionalBool("engineOn"), s.StringArray("dtcCodes", RecordLimits.MaxDtcCodes))
                : null,
            Driver = o.Object("driver", "a driver", DriverFields) is { } d
                ? new DriverData(d.OptionalString("name"), d.OptionalString("phoneNumber"), d.OptionalString("licenseNumber"))
                : null,
        };
        return new SampleEvent(InputKind.Telematics, e, e.EventId, e.EventTime);
    }

    private static SampleEvent ReadWifi(JsonObjectReader o)
    {
        var e = new WifiEventData
        {
            EventId = o.RequiredString("eventId"),
            GatewayId = o.RequiredString("gatewayId"),
            OutletId = o.RequiredString("outletId"),
            EventTime = o.RequiredTime("eventTime"),
            ClientMac = o.RequiredString("clientMac"),
            PhoneNumber = o.OptionalString("phoneNumber"),
            DeviceId = o.OptionalString("deviceId"),
            Location = ReadLocation(o),
            Rssi = o.OptionalInt("rssi"),
            VisitedDomains = o.StringArray("visitedDomains", RecordLimits.MaxVisitedDomains),
            DwellSeconds = o.OptionalInt("dwellSeconds"),
        };
        return new SampleEvent(InputKind.Wifi, e, e.EventId, e.EventTime);
    }

    private static GeoLocationData? ReadLocation(JsonObjectReader o) =>
        o.Object("location", "a location", LocationFields) is { } l
            ? new GeoLocationData(l.RequiredDouble("latitude"), l.RequiredDouble("longitude"), l.OptionalFloat("speedKph"), l.OptionalFloat("headingDeg"), l.OptionalFloat("altitudeM"))
            : null;
}
