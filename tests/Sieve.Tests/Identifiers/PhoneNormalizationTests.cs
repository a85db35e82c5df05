using Sieve.Contracts.Identifiers;
using Sieve.Testing.Identifiers;

namespace Sieve.Tests.Identifiers;

public class PhoneNormalizationTests
{
    [Theory]
    [InlineData("+86 138-0013-8000")]
    [InlineData("13800138000")]
    [InlineData("008613800138000")]
    [InlineData("+8613800138000")]
    [InlineData("(+86) 138.0013.8000")]
    [InlineData(" 138 0013 8000 ")]
    [InlineData("0086-138-0013-8000")]
    public void Spellings_of_one_mobile_number_normalize_alike(string phone)
    {
        Assert.Equal("+8613800138000", Normalized.Ok(SubjectType.Phone, phone));
    }

    [Theory]
    [InlineData("010-8888-6666", "+861088886666")]      // Beijing landline with trunk 0
    [InlineData("(0755) 8888 6666", "+8675588886666")]  // Shenzhen
    [InlineData("0571-8888666", "+865718888666")]       // 7-digit local number
    [InlineData("+1 (650) 253-0000", "+16502530000")]
    [InlineData("0044 20 7946 0958", "+442079460958")]
    [InlineData("+852 2345 6789", "+85223456789")]
    public void Landlines_and_foreign_numbers(string phone, string expected)
    {
        Assert.Equal(expected, Normalized.Ok(SubjectType.Phone, phone));
    }

    [Theory]
    [InlineData("1380013800", NormalizeStatus.InvalidLength)]         // 10 digits, no trunk 0
    [InlineData("138001380001", NormalizeStatus.InvalidLength)]       // 12 digits starting with 1
    [InlineData("23800138000", NormalizeStatus.InvalidLength)]        // 11 digits not starting with 1
    [InlineData("010888866", NormalizeStatus.InvalidLength)]          // 9 digits with trunk 0
    [InlineData("0108888666612", NormalizeStatus.InvalidLength)]      // 13 digits with trunk 0
    [InlineData("+8612345", NormalizeStatus.InvalidLength)]           // 7 digits after '+'
    [InlineData("+8613800138000123", NormalizeStatus.InvalidLength)]  // 16 digits after '+'
    [InlineData("00861380013800012345", NormalizeStatus.InvalidLength)]
    [InlineData("+", NormalizeStatus.InvalidLength)]
    [InlineData("( )", NormalizeStatus.InvalidLength)]
    [InlineData("+0861380013800", NormalizeStatus.InvalidCharacter)]  // country codes never start with 0
    [InlineData("138-0013-800O", NormalizeStatus.InvalidCharacter)]
    [InlineData("138 0013 8000 ext 5", NormalizeStatus.InvalidCharacter)]
    [InlineData("86+13800138000", NormalizeStatus.InvalidCharacter)]
    [InlineData("++8613800138000", NormalizeStatus.InvalidCharacter)]
    [InlineData("１３８００１３８０００", NormalizeStatus.InvalidCharacter)] // full-width digits
    [InlineData("", NormalizeStatus.Empty)]
    public void Rejected(string phone, NormalizeStatus expected)
    {
        Assert.Equal(expected, Normalized.Fails(SubjectType.Phone, phone));
    }

    [Fact]
    public void Overlong_layout_is_too_long()
    {
        Assert.Equal(NormalizeStatus.TooLong, Normalized.Fails(SubjectType.Phone, "+86" + new string('-', 60) + "13800138000"));
    }

    [Fact]
    public void Reason_code_of_a_wrong_length_is_phone_length()
    {
        NormalizeStatus status = Normalized.Fails(SubjectType.Phone, "1380013800");
        Assert.Equal("invalid-phone-length", IdentifierNormalizer.ToReasonCode(SubjectType.Phone, status));
    }
}
