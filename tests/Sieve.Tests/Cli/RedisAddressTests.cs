using Sieve.Commands.Consent;

namespace Sieve.Tests.Cli;

/// <summary>What the commands and the console print of a <c>--redis</c> configuration string.</summary>
public sealed class RedisAddressTests
{
    [Theory]
    [InlineData("127.0.0.1:6379,password=choose-one")]
    [InlineData("redis-1:6380,ssl=true,password=s3cr3t-Pa55,user=sieve")]
    public void The_shown_address_keeps_the_endpoint_and_never_the_password(string configuration)
    {
        string shown = ConsentStoreConnection.Shown(configuration);

        Assert.Contains(configuration.Split(',')[0], shown, StringComparison.Ordinal);
        Assert.DoesNotContain(configuration.Split("password=")[1].Split(',')[0], shown, StringComparison.Ordinal);
    }
}
