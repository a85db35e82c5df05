using System.Text;
using Sieve.Contracts.Pseudonymization;

namespace Sieve.Tests.Pseudonymization;

/// <summary>RFC 4648 section 10 vectors, lower-cased and without padding.</summary>
public class Base32Tests
{
    [Theory]
    [InlineData("", "")]
    [InlineData("f", "my")]
    [InlineData("fo", "mzxq")]
    [InlineData("foo", "mzxw6")]
    [InlineData("foob", "mzxw6yq")]
    [InlineData("fooba", "mzxw6ytb")]
    [InlineData("foobar", "mzxw6ytboi")]
    public void Matches_RFC4648(string input, string expected)
    {
        byte[] data = Encoding.ASCII.GetBytes(input);
        byte[] destination = new byte[Base32.GetEncodedLength(data.Length)];
        int written = Base32.EncodeLower(data, destination);
        Assert.Equal(expected, Encoding.ASCII.GetString(destination, 0, written));
    }

    [Fact]
    public void Twenty_bytes_are_thirty_two_characters()
    {
        Assert.Equal(32, Base32.GetEncodedLength(20));
        byte[] destination = new byte[32];
        Base32.EncodeLower(Enumerable.Repeat((byte)0xFF, 20).ToArray(), destination);
        Assert.Equal(new string('7', 32), Encoding.ASCII.GetString(destination));
    }
}
