using System.Buffers;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Sieve.Simulation;

/// <summary>Where and how simulated gateways post: the Meraki receiver and a captive-portal gateway.</summary>
public sealed class GatewayTargets
{
    /// <summary>Base address of the Ingest HTTP endpoints, e.g. <c>http://127.0.0.1:8080/</c>.</summary>
    public required Uri BaseAddress { get; init; }

    /// <summary>The Meraki shared secret (<c>Ingest:Meraki:Secret</c>).</summary>
    public string MerakiSecret { get; init; } = "meraki-shared-secret-0001";

    /// <summary>A configured Meraki network (<c>Ingest:Meraki:Networks:&lt;id&gt;</c>).</summary>
    public string MerakiNetworkId { get; init; } = "N_24329156";

    /// <summary>A configured portal gateway id.</summary>
    public string PortalGatewayId { get; init; } = "gw-bj-01";

    /// <summary>That gateway's outlet.</summary>
    public string PortalOutletId { get; init; } = "outlet-bj-01";

    /// <summary>That gateway's bearer token.</summary>
    public string PortalToken { get; init; } = "portal-token-bj-01-7f3a9c";
}


/// <summary>A refused gateway request: the endpoint, the HTTP status and the answer's reason code.</summary>
/// <param name="Endpoint"><c>meraki</c> or <c>portal-session</c>.</param>
/// <param name="Status">The HTTP status; 0 when no answer came.</param>
/// <param name="Reason">
/// The answer's <c>error</c> code when it is one (lower-case letters, digits and dashes, at most 64); null when the
/// body was empty or carried no such code.
/// </param>
public readonly record struct GatewayRefusal(string Endpoint, int Status, string? Reason);

/// <summary>
/// Posts to Ingest's gateway endpoints as a Meraki cloud (Scanning API v3 observations) and as a dealer's own
/// captive-portal gateway (finished sessions) do. Each call returns the number of records the server accepted,
/// or -1 when it refused the request (<see cref="Refused"/> is told why); no identifier is ever printed.
/// </summary>
public sealed class GatewayClient(HttpClient http, GatewayTargets targets)
{
    private const int MaxReasonLength = 64;

    /// <summary>Told of every refused request with its status and reason code; null for none.</summary>
    public Action<GatewayRefusal>? Refused { get; init; }

    /// <summary>Posts one Meraki observation per sighting at <paramref name="time"/>.</summary>
    public async Task<int> PostMerakiAsync(IReadOnlyList<WifiSighting> sightings, DateTimeOffset time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sightings);
        var body = new ArrayBufferWriter<byte>(256 + (sightings.Count * 256));
        using (var w = new Utf8JsonWriter(body))
        {
            w.WriteStartObject();
            w.WriteString("version", "3.0");
            w.WriteString("secret", targets.MerakiSecret);
            w.WriteString("type", "WiFi");
            w.WriteStartObject("data");
            w.WriteString("networkId", targets.MerakiNetworkId);
            w.WriteStartArray("observations");
            foreach (WifiSighting s in sightings)
            {
                w.WriteStartObject();
                w.WriteString("clientMac", s.ClientMac);
                w.WriteStartObject("latestRecord");
                w.WriteString("time", time);
                w.WriteString("nearestApMac", "00:18:0a:13:dd:b0");
                w.WriteNumber("nearestApRssi", s.Rssi);
                w.WriteEndObject();
                w.WriteStartArray("locations");
                w.WriteStartObject();
                w.WriteNumber("lat", s.Latitude);
                w.WriteNumber("lng", s.Longitude);
                w.WriteString("time", time);
                w.WriteEndObject();
                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndObject();
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(targets.BaseAddress, "meraki/v3"))
        {
            Content = Json(body),
        };
        return await SendAsync(request, "meraki", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Posts a finished captive-portal session of <paramref name="sighting"/> from <paramref name="start"/> to <paramref name="end"/>.</summary>
    public async Task<int> PostPortalSessionAsync(WifiSighting sighting, DateTimeOffset start, DateTimeOffset end, IReadOnlyList<string> visitedDomains, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(visitedDomains);
        var body = new ArrayBufferWriter<byte>(512);
        using (var w = new Utf8JsonWriter(body))
        {
            w.WriteStartObject();
            w.WriteString("gatewayId", targets.PortalGatewayId);
            w.WriteString("outletId", targets.PortalOutletId);
            w.WriteString("clientMac", sighting.ClientMac);
            if (sighting.PhoneNumber is not null)
            {
                w.WriteString("phoneNumber", sighting.PhoneNumber);
            }

            w.WriteString("start", start);
            w.WriteString("end", end);
            w.WriteStartArray("visitedDomains");
            foreach (string domain in visitedDomains)
            {
                w.WriteStringValue(domain);
            }

            w.WriteEndArray();
            w.WriteNumber("rssi", sighting.Rssi);
            w.WriteEndObject();
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(targets.BaseAddress, "portal/v1/sessions"))
        {
            Content = Json(body),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", targets.PortalToken);
        return await SendAsync(request, "portal-session", cancellationToken).ConfigureAwait(false);
    }

    private static ByteArrayContent Json(ArrayBufferWriter<byte> body)
    {
        var content = new ByteArrayContent(body.WrittenSpan.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    private async Task<int> SendAsync(HttpRequestMessage request, string endpoint, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            Refused?.Invoke(new GatewayRefusal(endpoint, 0, null));
            throw;
        }

        using (response)
        {
            byte[] answer = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                Refused?.Invoke(new GatewayRefusal(endpoint, (int)response.StatusCode, ReasonCode(answer)));
                return -1;
            }

            int accepted = Accepted(answer);
            if (accepted < 0)
            {
                Refused?.Invoke(new GatewayRefusal(endpoint, (int)response.StatusCode, null));
            }

            return accepted;
        }
    }

    /// <summary>The <c>error</c> code of a refusal's body, when it is a short code and nothing else; null otherwise.</summary>
    internal static string? ReasonCode(ReadOnlySpan<byte> answer)
    {
        try
        {
            var reader = new Utf8JsonReader(answer);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            while (reader.Read() && reader.CurrentDepth == 1)
            {
                if (reader.TokenType != JsonTokenType.PropertyName)
                {
                    continue;
                }

                bool error = reader.ValueTextEquals("error"u8);
                if (!reader.Read())
                {
                    return null;
                }

                if (error)
                {
                    string? code = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                    return code is { Length: > 0 and <= MaxReasonLength } && code.All(static c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-') ? code : null;
                }

                reader.TrySkip();
            }
        }
        catch (JsonException)
        {
            // Not JSON: no reason code.
        }

        return null;
    }

    private static int Accepted(byte[] answer)
    {
        var reader = new Utf8JsonReader(answer);
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals("accepted"u8) && reader.Read()
                && reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out int accepted))
            {
                return accepted;
            }
        }

        return -1;
    }
}
