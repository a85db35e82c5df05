using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;
using Sieve.Core.Gateways.Http;

namespace Sieve.Core.Gateways.Portal;

/// <summary>
/// Finds the portal gateway an <c>Authorization: Bearer &lt;token&gt;</c> header belongs to. Every configured token is
/// compared (as SHA-256 digests, in constant time), so the timing says neither whether nor which one matched.
/// </summary>
internal sealed class PortalAuthenticator
{
    /// <summary>Longest token looked at; longer ones cannot match.</summary>
    public const int MaxTokenBytes = BearerToken.MaxLength;

    private readonly IReadOnlyList<PortalGateway> _gateways;
    private readonly byte[][] _hashes;

    /// <summary>Creates the authenticator over the configured gateways.</summary>
    public PortalAuthenticator(IReadOnlyList<PortalGateway> gateways)
    {
        _gateways = gateways;
        _hashes = new byte[gateways.Count][];
        for (int i = 0; i < gateways.Count; i++)
        {
            _hashes[i] = gateways[i].TokenHash;
        }
    }

    /// <summary>The gateway whose token <paramref name="request"/> carries, or null.</summary>
    public PortalGateway? Authenticate(HttpRequest request)
    {
        if (!BearerToken.TryRead(request.Headers[HeaderNames.Authorization], out ReadOnlySpan<char> token))
        {
            return null;
        }

        Span<byte> utf8 = stackalloc byte[MaxTokenBytes * 3];
        int length = Encoding.UTF8.GetBytes(token, utf8);
        int index = SecretMatch.IndexOf(utf8[..length], _hashes);
        return index < 0 ? null : _gateways[index];
    }
}
