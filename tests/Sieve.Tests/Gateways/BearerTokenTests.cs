using Sieve.Core.Gateways.Http;

namespace Sieve.Tests.Gateways;

/// <summary>The one reader of <c>Authorization: Bearer</c> headers (operations listener, captive portal, console).</summary>
public sealed class BearerTokenTests
{
    [Theory]
    [InlineData("Bearer s3cret", "s3cret")]
    [InlineData("bearer s3cret", "s3cret")]
    [InlineData("BEARER   s3cret  ", "s3cret")]
    public void The_token_is_read_with_the_scheme_in_any_case_and_without_surrounding_spaces(string header, string expected)
    {
        Assert.True(BearerToken.TryRead(header, out ReadOnlySpan<char> token));
        Assert.Equal(expected, token.ToString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Bearer")]
    [InlineData("Bearer ")]
    [InlineData("Bearer    ")]
    [InlineData("Basic dXNlcjpwYXNz")]
    [InlineData("Bearers s3cret")]
    [InlineData("s3cret")]
    public void Anything_else_is_no_token(string? header)
    {
        Assert.False(BearerToken.TryRead(header, out ReadOnlySpan<char> token));
        Assert.True(token.IsEmpty);
    }

    [Fact]
    public void A_token_up_to_the_limit_is_read_and_a_longer_one_refused()
    {
        Assert.True(BearerToken.TryRead("Bearer " + new string('t', BearerToken.MaxLength), out ReadOnlySpan<char> longest));
        Assert.Equal(BearerToken.MaxLength, longest.Length);
        Assert.False(BearerToken.TryRead("Bearer " + new string('t', BearerToken.MaxLength + 1), out _));
        Assert.False(BearerToken.TryRead("Bearer " + new string('t', 1_000_000), out _));
    }
}
