using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Sieve.Core.Gateways.Http;

/// <summary>
/// Writes the gateway endpoints' answers: <c>202 {"accepted":n}</c> once Kafka acknowledged, and
/// <c>{"error":code,"field":path}</c> for refusals. Bodies carry codes, field paths and positions only.
/// </summary>
internal static class GatewayResponses
{
    private const string JsonContentType = "application/json";

    /// <summary>202 Accepted with the number of records Kafka acknowledged.</summary>
    public static Task WriteAcceptedAsync(HttpContext context, int accepted)
    {
        context.Response.StatusCode = StatusCodes.Status202Accepted;
        return WriteJsonAsync(context, accepted, static (writer, count) =>
        {
            writer.WriteStartObject();
            writer.WriteNumber("accepted", count);
            writer.WriteEndObject();
        });
    }

    /// <summary>
    /// The error's status and body. 401 adds <c>WWW-Authenticate</c> when <paramref name="bearer"/>; 413 closes the
    /// connection (the rest of the body is not read).
    /// </summary>
    public static Task WriteErrorAsync(HttpContext context, in GatewayError error, bool bearer = false)
    {
        HttpResponse response = context.Response;
        response.StatusCode = error.Status;
        if (error.Status == StatusCodes.Status401Unauthorized && bearer)
        {
            response.Headers[HeaderNames.WWWAuthenticate] = "Bearer";
        }
        else if (error.Status == StatusCodes.Status413PayloadTooLarge)
        {
            response.Headers[HeaderNames.Connection] = "close";
        }

        return WriteJsonAsync(context, error, static (writer, e) =>
        {
            writer.WriteStartObject();
            writer.WriteString("error", e.Code);
            if (e.Field is not null)
            {
                writer.WriteString("field", e.Field);
            }

            if (e.Line >= 0)
            {
                writer.WriteNumber("line", e.Line);
            }

            if (e.BytePosition >= 0)
            {
                writer.WriteNumber(e.Line >= 0 ? "bytePositionInLine" : "offset", e.BytePosition);
            }

            writer.WriteEndObject();
        });
    }

    /// <summary>429 or 503 with <c>Retry-After</c> in whole seconds (at least 1).</summary>
    public static Task WriteRetryLaterAsync(HttpContext context, int status, string code, TimeSpan retryAfter)
    {
        long seconds = Math.Max(1, (long)Math.Ceiling(retryAfter.TotalSeconds));
        context.Response.Headers[HeaderNames.RetryAfter] = seconds.ToString(CultureInfo.InvariantCulture);
        return WriteErrorAsync(context, new GatewayError(status, code));
    }

    private static Task WriteJsonAsync<T>(HttpContext context, T state, Action<Utf8JsonWriter, T> write)
    {
        context.Response.ContentType = JsonContentType;
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer, state);
        }

        context.Response.ContentLength = buffer.WrittenCount;
        return context.Response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted).AsTask();
    }
}
