using Sieve.Contracts.Pseudonymization;

namespace Sieve.Tests.Pseudonymization;

/// <summary>RFC 5869 appendix A, test cases 1-3 (SHA-256).</summary>
public class HkdfTests
{
    public static TheoryData<string, string, string, string, string> Rfc5869 => new()
    {
        // A.1: basic
        { Repeat("0b", 22), "000102030405060708090a0b0c", "f0f1f2f3f4f5f6f7f8f9",
            "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5",
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865" },
        // A.2: longer inputs and outputs
        { Range(0x00, 0x50), Range(0x60, 0x50), Range(0xb0, 0x50),
            "06a6b88c5853361a06104c9ceb35b45cef760014904671014a193f40c15fc244",
            "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71cc30c58179ec3e87c14c01d5c1f3434f1d87" },
        // A.3: zero-length salt and info
        { Repeat("0b", 22), "", "",
            "19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04",
            "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8" },
    };

    [Theory]
    [MemberData(nameof(Rfc5869))]
    public void Extract_expand_and_derive_key_match_RFC5869(string ikmHex, string saltHex, string infoHex, string prkHex, string okmHex)
    {
        byte[] ikm = Convert.FromHexString(ikmHex);
        byte[] salt = Convert.FromHexString(saltHex);
        byte[] info = Convert.FromHexString(infoHex);
        int length = okmHex.Length / 2;

        byte[] prk = new byte[Hkdf.HashLength];
        Assert.Equal(Hkdf.HashLength, Hkdf.Extract(salt, ikm, prk));
        Assert.Equal(prkHex, Convert.ToHexStringLower(prk));

        byte[] okm = new byte[length];
        Hkdf.Expand(prk, info, okm);
        Assert.Equal(okmHex, Convert.ToHexStringLower(okm));

        byte[] derived = new byte[length];
        Hkdf.DeriveKey(ikm, salt, info, derived);
        Assert.Equal(okmHex, Convert.ToHexStringLower(derived));
    }

    private static string Repeat(string hexByte, int count) => string.Concat(Enumerable.Repeat(hexByte, count));

    private static string Range(int first, int count)
    {
        byte[] bytes = new byte[count];
        for (int i = 0; i < count; i++)
        {
            bytes[i] = (byte)(first + i);
        }

        return Convert.ToHexString(bytes);
    }
}
