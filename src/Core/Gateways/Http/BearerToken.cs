namespace Sieve.Core.Gateways.Http;

/// <summary>
/// Reads the token of an <c>Authorization: Bearer &lt;token&gt;</c> header, for <see cref="SecretMatch"/> to compare:
/// the scheme matched without regard to case (RFC 9110), the token without its surrounding spaces, and neither an
/// empty token nor one longer than <see cref="MaxLength"/> characters accepted.
/// </summary>
public static class BearerToken
{
    /// <summary>Longest token read, in characters; a longer one is refused unread.</summary>
    public const int MaxLength = 1024;

    private const string Scheme = "Bearer ";

    /// <summary>True with the token of <paramref name="header"/> (an <c>Authorization</c> header's value); false for any other header.</summary>
    public static bool TryRead(string? header, out ReadOnlySpan<char> token)
    {
        token = default;
        if (header is null || header.Length <= Scheme.Length || header.Length > Scheme.Length + MaxLength + 64
            || !header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        token = header.AsSpan(Scheme.Length).Trim();
        return !token.IsEmpty && token.Length <= MaxLength;
    }
}
