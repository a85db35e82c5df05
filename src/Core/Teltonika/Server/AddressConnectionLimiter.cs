using System.Net;

namespace Sieve.Core.Teltonika.Server;

/// <summary>Counts open connections per remote address and refuses those over the limit. Thread-safe.</summary>
internal sealed class AddressConnectionLimiter
{
    private readonly int _limit;
    private readonly Dictionary<IPAddress, int> _open = [];
    private readonly Lock _gate = new();

    public AddressConnectionLimiter(int limit) => _limit = limit;

    /// <summary>Takes a slot for <paramref name="address"/>; false when it has none left. A null address (not IP) is not limited.</summary>
    public bool TryEnter(IPAddress? address)
    {
        if (address is null)
        {
            return true;
        }

        address = Normalize(address);
        lock (_gate)
        {
            _open.TryGetValue(address, out int count);
            if (count >= _limit)
            {
                return false;
            }

            _open[address] = count + 1;
            return true;
        }
    }

    /// <summary>Gives back a slot taken by <see cref="TryEnter"/>.</summary>
    public void Exit(IPAddress? address)
    {
        if (address is null)
        {
            return;
        }

        address = Normalize(address);
        lock (_gate)
        {
            if (_open.TryGetValue(address, out int count))
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
