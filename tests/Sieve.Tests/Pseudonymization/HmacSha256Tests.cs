using System.Text;
using Sieve.Contracts.Pseudonymization;

namespace Sieve.Tests.Pseudonymization;

/// <summary>RFC 4231 test cases 1-7, through the HMAC that pseudonym keys use.</summary>
public class HmacSha256Tests
{
    public static TheoryData<string, string, string, int> Rfc4231 => new()
    {
        { "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", Hex("Hi There"),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7", 32 },
        { Hex("Jefe"), Hex("what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843", 32 },
        { Repeat("aa", 20), Repeat("dd", 50),
            "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe", 32 },
        { "0102030405060708090a0b0c0d0e0f10111213141516171819", Repeat("cd", 50),
            "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b", 32 },
        { Repeat("0c", 20), Hex("Test With Truncation"),
            "a3b6167473100ee06e0c796c2955552b", 16 },
        { Repeat("aa", 131), Hex("Test Using Larger Than Block-Size Key - Hash Key First"),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54", 32 },
        { Repeat("aa", 131), Hex("This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm."),
            "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2", 32 },
    };

    [Theory]
    [MemberData(nameof(Rfc4231))]
    public void Matches_RFC4231(string keyHex, string dataHex, string expectedHex, int macBytes)
    {
        byte[] data = Convert.FromHexString(dataHex);
        using var hmac = new HmacSha256(Convert.FromHexString(keyHex));
        byte[] mac = new byte[HmacSha256.MacLength];

        // Twice: the second message checks that Finish resets the state.
        for (int round = 0; round < 2; round++)
        {
            hmac.Append(data);
            hmac.Finish(mac);
            Assert.Equal(expectedHex, Convert.ToHexStringLower(mac, 0, macBytes));
        }

        // In parts, as pseudonym keys feed the type byte and then the identifier.
        hmac.Append(data.AsSpan(0, data.Length / 3));
        hmac.Append(data.AsSpan(data.Length / 3));
        hmac.Finish(mac);
        Assert.Equal(expectedHex, Convert.ToHexStringLower(mac, 0, macBytes));
    }

    private static string Hex(string ascii) => Convert.ToHexString(Encoding.ASCII.GetBytes(ascii));

    private static string Repeat(string hexByte, int count) => string.Concat(Enumerable.Repeat(hexByte, count));
}
