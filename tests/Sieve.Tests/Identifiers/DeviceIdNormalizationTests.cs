using System.Text;
using Sieve.Contracts.Identifiers;
using Sieve.Testing.Identifiers;

namespace Sieve.Tests.Identifiers;

public class DeviceIdNormalizationTests
{
    [Theory]
    [InlineData("490154203237518")]
    [InlineData("49-015420-323751-8")]
    [InlineData(" 4901 5420 3237 518 ")]
    public void Imeis_keep_their_digits(string imei)
    {
        Assert.Equal("490154203237518", Normalized.Ok(SubjectType.DeviceId, imei));
    }

    [Theory]
    [InlineData("490154203237519", NormalizeStatus.InvalidChecksum)]
    [InlineData("490154203237528", NormalizeStatus.InvalidChecksum)]
    [InlineData("49015420323751", NormalizeStatus.InvalidLength)]
    [InlineData("4901542032375180", NormalizeStatus.InvalidLength)]
    [InlineData("12345", NormalizeStatus.InvalidLength)]
    public void Bad_imeis(string imei, NormalizeStatus expected)
    {
        Assert.Equal(expected, Normalized.Fails(SubjectType.DeviceId, imei));
    }

    [Fact]
    public void Is_valid_imei_checks_length_and_Luhn()
    {
        Assert.True(IdentifierNormalizer.IsValidImei("490154203237518"u8));
        Assert.True(IdentifierNormalizer.IsValidImei("356938035643809"u8));
        Assert.False(IdentifierNormalizer.IsValidImei("490154203237519"u8));
        Assert.False(IdentifierNormalizer.IsValidImei("49015420323751"u8));
        Assert.False(IdentifierNormalizer.IsValidImei("49015420323751a"u8));
        Assert.False(IdentifierNormalizer.IsValidImei(""u8));
    }

    [Theory]
    [InlineData("3F2504E0-4F89-11D3-9A0C-0305E82C3301", "3f2504e0-4f89-11d3-9a0c-0305e82c3301")]
    [InlineData("  app_install.7f3a:b  ", "app_install.7f3a:b")]
    [InlineData("TBOX-00A1", "tbox-00a1")]
    [InlineData("x", "x")]
    public void Opaque_ids_are_lower_cased_and_keep_their_dashes(string id, string expected)
    {
        Assert.Equal(expected, Normalized.Ok(SubjectType.DeviceId, id));
    }

    [Theory]
    [InlineData("device id", NormalizeStatus.InvalidCharacter)]
    [InlineData("dev/1", NormalizeStatus.InvalidCharacter)]
    [InlineData("gerät-1", NormalizeStatus.InvalidCharacter)]
    [InlineData("", NormalizeStatus.Empty)]
    [InlineData("   ", NormalizeStatus.Empty)]
    public void Bad_opaque_ids(string id, NormalizeStatus expected)
    {
        Assert.Equal(expected, Normalized.Fails(SubjectType.DeviceId, id));
    }

    [Fact]
    public void Opaque_ids_up_to64_characters()
    {
        Assert.Equal(new string('a', 64), Normalized.Ok(SubjectType.DeviceId, new string('A', 64)));
        Assert.Equal(NormalizeStatus.TooLong, Normalized.Fails(SubjectType.DeviceId, new string('a', 65)));
    }

    [Fact]
    public void Reason_code_of_a_failed_Luhn_check()
    {
        NormalizeStatus status = Normalized.Fails(SubjectType.DeviceId, "490154203237519");
        Assert.Equal("invalid-device-id-checksum", IdentifierNormalizer.ToReasonCode(SubjectType.DeviceId, status));
    }

    [Fact]
    public void Short_destination_is_an_argument_error()
    {
        byte[] destination = new byte[IdentifierNormalizer.MaxNormalizedLength - 1];
        Assert.Throws<ArgumentException>(() =>
            IdentifierNormalizer.TryNormalize(SubjectType.DeviceId, Encoding.ASCII.GetBytes("x"), destination, out _, out _));
    }
}
