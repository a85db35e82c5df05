using System.Net;

namespace Sieve.Core.Teltonika.Server;

/// <summary>
/// Counts open connections, in all and per remote address, and refuses those over either limit. Thread-safe; one
/// lock taken twice per connection, never per packet.
/// </summary>
internal sealed class ConnectionLimiter
{
    private readonly int _limit;
    private readonly int _perAddressLimit;
    private readonly Dictionary<IPAddress, int> _open = [];
    private readonly Lock _gate = new();
    private int _total;

    /// <summary>At most <paramref name="limit"/> connections in all, and <paramref name="perAddressLimit"/> from one address.</summary>
    public ConnectionLimiter(int limit, int perAddressLimit)
    {
        _limit = limit;
        _perAddressLimit = perAddressLimit;
    }

    /// <summary>
    /// Takes a slot for a connection from <paramref name="address"/>; returns null when it got one, else the reason
    /// code of the limit it is over (<see cref="TeltonikaCloseReasons.MaxConnections"/> or
    /// <see cref="TeltonikaCloseReasons.ConnectionLimit"/>). A null address (not IP) counts only towards the total.
    /// </summary>
    public string? TryEnter(IPAddress? address)
    {
        address = address is null ? null : Normalize(address);
        lock (_gate)
        {
            if (_total >= _limit)
            {
                return TeltonikaCloseReasons.MaxConnections;
            }

            if (address is not null)
            {
                _open.TryGetValue(address, out int count);
                if (count >= _perAddressLimit)
                {
                    return TeltonikaCloseReasons.ConnectionLimit;
                }

                _open[address] = count + 1;
            }

            _total++;
            return null;
        }
    }

    /// <summary>Gives back a slot taken by <see cref="TryEnter"/> (call it only when that returned null).</summary>
    public void Exit(IPAddress? address)
    {
        address = address is null ? null : Normalize(address);
        lock (_gate)
        {
            _total--;
            if (address is not null && _open.TryGetValue(address, out int count))
            {
                if (count <= 1)
                {
                    _open.Remove(address);
                }
                else
                {
                    _open[address] = count - 1;
                }
            }
        }
    }

    // An IPv4 client on a dual-stack socket shows as ::ffff:a.b.c.d; both spellings count as one address.
    private static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
