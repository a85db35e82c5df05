using System.Net;
using Sieve.Core.Teltonika.Server;

namespace Sieve.Tests.Teltonika;

public sealed class ConnectionLimiterTests
{
    private static readonly IPAddress A = IPAddress.Parse("10.0.0.1");
    private static readonly IPAddress B = IPAddress.Parse("10.0.0.2");

    [Fact]
    public void The_total_limit_refuses_every_address_until_a_slot_is_given_back()
    {
        var limiter = new ConnectionLimiter(limit: 3, perAddressLimit: 2);
        Assert.Null(limiter.TryEnter(A));
        Assert.Null(limiter.TryEnter(A));
        Assert.Equal(TeltonikaCloseReasons.ConnectionLimit, limiter.TryEnter(A));
        Assert.Null(limiter.TryEnter(B));
        Assert.Equal(TeltonikaCloseReasons.MaxConnections, limiter.TryEnter(B));
        Assert.Equal(TeltonikaCloseReasons.MaxConnections, limiter.TryEnter(null));

        limiter.Exit(A);
        Assert.Null(limiter.TryEnter(null));
        Assert.Equal(TeltonikaCloseReasons.MaxConnections, limiter.TryEnter(B));
        limiter.Exit(null);
        Assert.Null(limiter.TryEnter(B));
    }

    [Fact]
    public void Mapped_ipv4_addresses_count_as_their_ipv4_address()
    {
        var limiter = new ConnectionLimiter(limit: 10, perAddressLimit: 1);
        Assert.Null(limiter.TryEnter(A.MapToIPv6()));
        Assert.Equal(TeltonikaCloseReasons.ConnectionLimit, limiter.TryEnter(A));
        limiter.Exit(A);
        Assert.Null(limiter.TryEnter(A.MapToIPv6()));
    }
}
