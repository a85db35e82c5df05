using Sieve.Contracts.Identifiers;
using Sieve.Testing.Identifiers;

namespace Sieve.Tests.Identifiers;

public class MacNormalizationTests
{
    [Theory]
    [InlineData("00-1a-2b-3c-4d-5e")]
    [InlineData("00:1A:2B:3C:4D:5E")]
    [InlineData("001a.2b3c.4d5e")]
    [InlineData("001A2B3C4D5E")]
    [InlineData("  00:1a:2b:3c:4d:5e\n")]
    [InlineData("001A.2B3C.4D5E")]
    public void Spellings_of_one_address_normalize_alike(string mac)
    {
        (NormalizeStatus status, string? value, IdentifierFlags flags) = Normalized.Of(SubjectType.Mac, mac);
        Assert.Equal(NormalizeStatus.Ok, status);
        Assert.Equal("00:1a:2b:3c:4d:5e", value);
        Assert.Equal(IdentifierFlags.None, flags);
    }

    [Theory]
    [InlineData("aa-bb-cc-dd-ee-ff")]
    [InlineData("AA:BB:CC:DD:EE:FF")]
    [InlineData("aabb.ccdd.eeff")]
    [InlineData("AABBCCDDEEFF")]
    public void Locally_administered_spellings_normalize_alike_and_are_flagged(string mac)
    {
        (NormalizeStatus status, string? value, IdentifierFlags flags) = Normalized.Of(SubjectType.Mac, mac);
        Assert.Equal(NormalizeStatus.Ok, status);
        Assert.Equal("aa:bb:cc:dd:ee:ff", value);
        Assert.Equal(IdentifierFlags.LocallyAdministeredMac, flags); // 0xaa: I/G bit clear (unicast), U/L bit set
    }

    [Theory]
    [InlineData("01:00:5e:00:00:fb")] // IPv4 multicast
    [InlineData("33-33-00-00-00-01")] // IPv6 multicast
    [InlineData("ff:ff:ff:ff:ff:ff")] // broadcast
    [InlineData("0300.0000.0001")]
    public void Group_addresses_are_rejected(string mac)
    {
        Assert.Equal(NormalizeStatus.NotUnicast, Normalized.Fails(SubjectType.Mac, mac));
    }

    [Theory]
    [InlineData("02:00:00:00:00:01")]
    [InlineData("DA-A1-19-00-00-01")]
    [InlineData("f2a1.1900.0001")]
    public void Locally_administered_addresses_are_flagged(string mac)
    {
        (NormalizeStatus status, _, IdentifierFlags flags) = Normalized.Of(SubjectType.Mac, mac);
        Assert.Equal(NormalizeStatus.Ok, status);
        Assert.Equal(IdentifierFlags.LocallyAdministeredMac, flags);
    }

    [Theory]
    [InlineData("00:1a:2b-3c:4d:5e", NormalizeStatus.InvalidCharacter)] // mixed separators
    [InlineData("00.1a.2b.3c.4d.5e", NormalizeStatus.InvalidCharacter)] // '.' only in groups of four
    [InlineData("001a:2b3c:4d5e", NormalizeStatus.InvalidCharacter)]   // ':' only between octets
    [InlineData("00:1a:2b:3c:4d:5g", NormalizeStatus.InvalidCharacter)]
    [InlineData("001a2b3c4d5z", NormalizeStatus.InvalidCharacter)]
    [InlineData("0:1a:2b:3c:4d:5e0", NormalizeStatus.InvalidCharacter)]
    [InlineData("00:1a:2b:3c:4d", NormalizeStatus.InvalidLength)]
    [InlineData("001a2b3c4d5", NormalizeStatus.InvalidLength)]
    [InlineData("00:1a:2b:3c:4d:5e:6f", NormalizeStatus.TooLong)]
    [InlineData("", NormalizeStatus.Empty)]
    public void Malformed_addresses(string mac, NormalizeStatus expected)
    {
        Assert.Equal(expected, Normalized.Fails(SubjectType.Mac, mac));
    }

    [Fact]
    public void Reason_code_of_a_malformed_mac_is_format()
    {
        NormalizeStatus status = Normalized.Fails(SubjectType.Mac, "00:1a:2b-3c:4d:5e");
        Assert.Equal("invalid-mac-format", IdentifierNormalizer.ToReasonCode(SubjectType.Mac, status));
    }
}
