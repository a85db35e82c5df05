using System.Buffers;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Sieve.Core.Gateways.Http;

/// <summary>
/// A request body read whole into a pooled buffer. <see cref="Span"/> is <c>buffer[0..Length]</c>; dispose to
/// return the buffer. <see cref="TooLarge"/> means the body exceeded the cap and was not (fully) read.
/// </summary>
internal sealed class RequestBody : IDisposable
{
    private const int InitialBufferSize = 4096;

    private byte[]? _buffer;

    private RequestBody(byte[]? buffer, int length, bool tooLarge)
    {
        _buffer = buffer;
        Length = length;
        TooLarge = tooLarge;
    }

    /// <summary>Bytes read.</summary>
    public int Length { get; }

    /// <summary>True when the body is larger than the cap; <see cref="Span"/> is then empty.</summary>
    public bool TooLarge { get; }

    /// <summary>The body bytes, valid until <see cref="Dispose"/>.</summary>
    public ReadOnlySpan<byte> Span => _buffer is null ? default : _buffer.AsSpan(0, Length);

    /// <summary>
    /// Reads the whole body of <paramref name="context"/>'s request, at most <paramref name="maxBytes"/> bytes. A
    /// declared <c>Content-Length</c> above the cap is refused before reading; a chunked body is refused as soon as
    /// it passes the cap. Kestrel's own per-request limit is lowered to the cap too.
    /// </summary>
    public static async Task<RequestBody> ReadAsync(HttpContext context, int maxBytes)
    {
        HttpRequest request = context.Request;
        if (request.ContentLength > maxBytes)
        {
            return new RequestBody(null, 0, tooLarge: true);
        }

        IHttpMaxRequestBodySizeFeature? limit = context.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (limit is { IsReadOnly: false })
        {
            limit.MaxRequestBodySize = maxBytes;
        }

        int capacity = request.ContentLength is { } declared ? (int)Math.Max(1, declared) : Math.Min(InitialBufferSize, maxBytes + 1);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(capacity);
        int length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length > maxBytes)
                    {
                        ArrayPool<byte>.Shared.Return(buffer);
                        return new RequestBody(null, 0, tooLarge: true);
                    }

                    byte[] larger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, maxBytes + 1));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                int read = await request.Body.ReadAsync(buffer.AsMemory(length), context.RequestAborted).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                length += read;
                if (length > maxBytes)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    return new RequestBody(null, 0, tooLarge: true);
                }
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            return new RequestBody(null, 0, tooLarge: true);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }

        return new RequestBody(buffer, length, tooLarge: false);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        byte[]? buffer = _buffer;
        _buffer = null;
        if (buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
