using System.Collections.Frozen;
using System.Text.Json;

namespace Sieve.Core.Devices;

/// <summary>
/// A device registry read once from a file (<c>Devices:Path</c>): IMEI → VIN.
/// </summary>
/// <remarks>
/// <para>Formats, chosen by extension: <c>.json</c> holds either an object <c>{"&lt;imei&gt;": "&lt;vin&gt;", ...}</c> or
/// an array <c>[{"imei": "...", "vin": "..."}, ...]</c>; anything else is CSV, one <c>imei,vin</c> per line, with
/// blank lines and <c>#</c> comments ignored and an optional <c>imei,vin</c> header. An empty VIN registers the
/// unit without a vehicle.</para>
/// <para>Every IMEI must pass the Luhn check, every non-empty VIN must be a valid VIN, and no IMEI may appear twice;
/// otherwise loading fails with a <see cref="DeviceRegistryFormatException"/> naming the line or entry, not the value.</para>
/// </remarks>
public sealed class FileDeviceRegistry : IDeviceRegistry
{
    private readonly FrozenDictionary<string, string?> _vins;
    private readonly bool _acceptUnregistered;

    private FileDeviceRegistry(FrozenDictionary<string, string?> vins, bool acceptUnregistered)
    {
        _vins = vins;
        _acceptUnregistered = acceptUnregistered;
    }

    /// <summary>Number of registered units.</summary>
    public int Count => _vins.Count;

    /// <summary>Reads the registry file at <paramref name="path"/>.</summary>
    /// <param name="path">A <c>.json</c> or CSV file.</param>
    /// <param name="acceptUnregistered">Let Luhn-valid units that are not in the file connect too (their records carry only a unit-reported VIN).</param>
    /// <exception cref="DeviceRegistryFormatException">The file is malformed.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static FileDeviceRegistry Load(string path, bool acceptUnregistered = false)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string text = File.ReadAllText(path);
        Dictionary<string, string?> entries = path.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? ParseJson(text) : ParseCsv(text);
        return new FileDeviceRegistry(entries.ToFrozenDictionary(StringComparer.Ordinal), acceptUnregistered);
    }

    /// <summary>Builds a registry from <paramref name="entries"/> (IMEI, VIN or null), validated as a file would be.</summary>
    /// <exception cref="DeviceRegistryFormatException">An entry is invalid; the message gives its index.</exception>
    public static FileDeviceRegistry FromEntries(IEnumerable<(string Imei, string? Vin)> entries, bool acceptUnregistered = false)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var map = new Dictionary<string, string?>(StringComparer.Ordinal);
        int index = 0;
        foreach ((string imei, string? vin) in entries)
        {
            Add(map, imei, vin, "entry " + index++);
        }

        return new FileDeviceRegistry(map.ToFrozenDictionary(StringComparer.Ordinal), acceptUnregistered);
    }

    /// <inheritdoc />
    public ValueTask<bool> IsAllowedAsync(string imei, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(imei);
        return ValueTask.FromResult(ImeiCheck.IsValid(imei) && (_acceptUnregistered || _vins.ContainsKey(imei)));
    }

    /// <inheritdoc />
    public ValueTask<string?> TryGetVinAsync(string imei, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(imei);
        return ValueTask.FromResult(_vins.TryGetValue(imei, out string? vin) ? vin : null);
    }

    private static Dictionary<string, string?> ParseCsv(string text)
    {
        var map = new Dictionary<string, string?>(StringComparer.Ordinal);
        int lineNumber = 0;
        bool first = true;
        foreach (ReadOnlySpan<char> rawLine in text.AsSpan().EnumerateLines())
        {
            lineNumber++;
            ReadOnlySpan<char> line = rawLine.Trim();
            if (line.IsEmpty || line[0] == '#')
            {
                continue;
            }

            int comma = line.IndexOf(',');
            ReadOnlySpan<char> imei = (comma < 0 ? line : line[..comma]).Trim();
            ReadOnlySpan<char> vin = comma < 0 ? [] : line[(comma + 1)..].Trim();
            if (first && imei.Equals("imei", StringComparison.OrdinalIgnoreCase))
            {
                first = false;
                continue;
            }

            first = false;
            if (vin.Contains(','))
            {
                throw new DeviceRegistryFormatException("line " + lineNumber + ": expected two fields, imei,vin");
            }

            Add(map, imei.ToString(), vin.IsEmpty ? null : vin.ToString(), "line " + lineNumber);
        }

        return map;
    }

    private static Dictionary<string, string?> ParseJson(string text)
    {
        var map = new Dictionary<string, string?>(StringComparer.Ordinal);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            // JsonException positions are safe to report; its message can quote input, so it is not passed on.
            throw new DeviceRegistryFormatException("invalid JSON at line " + (e.LineNumber + 1) + ", byte " + (e.BytePositionInLine + 1));
        }

        using (document)
        {
            JsonElement root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                int index = 0;
                foreach (JsonProperty property in root.EnumerateObject())
                {
                    string where = "property " + index++;
                    Add(map, property.Name, ReadVin(property.Value, where), where);
                }
            }
            else if (root.ValueKind == JsonValueKind.Array)
            {
                int index = 0;
                foreach (JsonElement item in root.EnumerateArray())
                {
                    string where = "element " + index++;
                    if (item.ValueKind != JsonValueKind.Object
                        || !item.TryGetProperty("imei", out JsonElement imei) || imei.ValueKind != JsonValueKind.String)
                    {
                        throw new DeviceRegistryFormatException(where + ": expected an object with a string \"imei\"");
                    }

                    Add(map, imei.GetString()!, item.TryGetProperty("vin", out JsonElement vin) ? ReadVin(vin, where) : null, where);
                }
            }
            else
            {
                throw new DeviceRegistryFormatException("the JSON root must be an object (imei to vin) or an array of {imei, vin}");
            }
        }

        return map;
    }

    private static string? ReadVin(JsonElement value, string where) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Null => null,
        _ => throw new DeviceRegistryFormatException(where + ": the VIN must be a string or null"),
    };

    private static void Add(Dictionary<string, string?> map, string imei, string? vin, string where)
    {
        if (!ImeiCheck.IsValid(imei))
        {
            throw new DeviceRegistryFormatException(where + ": the IMEI is not 15 digits with a valid Luhn check digit");
        }

        string? normalizedVin = null;
        if (!string.IsNullOrWhiteSpace(vin))
        {
            normalizedVin = RegisteredVin.Normalize(vin)
                ?? throw new DeviceRegistryFormatException(where + ": the VIN is not a valid VIN (17 characters, check digit)");
        }

        if (!map.TryAdd(imei, normalizedVin))
        {
            throw new DeviceRegistryFormatException(where + ": the IMEI is listed twice");
        }
    }
}
