namespace Sieve.Core.Gateways.Http;

/// <summary>
/// Why a gateway request was refused: an HTTP status, a stable reason code (such as <c>invalid-mac-format</c>) and
/// where the problem is: a field path (<c>data.observations[3].clientMac</c>) or, for malformed JSON, a line and
/// byte position. Never carries a value from the request.
/// </summary>
/// <param name="Status">The HTTP status to answer with.</param>
/// <param name="Code">The reason code, from <see cref="GatewayErrorCodes"/> or the identifier normalizer.</param>
/// <param name="Field">Path of the offending field, or null.</param>
/// <param name="Line">For malformed JSON: zero-based line of the problem, else -1.</param>
/// <param name="BytePosition">For malformed JSON: zero-based byte in that line; else the request offset of an unknown field or of a name or string that cannot be decoded; else -1.</param>
internal readonly record struct GatewayError(int Status, string Code, string? Field = null, long Line = -1, long BytePosition = -1)
{
    /// <summary>A 400 with <paramref name="code"/> at <paramref name="field"/>.</summary>
    public static GatewayError BadRequest(string code, string? field) => new(400, code, field);
}
