using Sieve.Contracts.Identifiers;

namespace Sieve.Tests.Identifiers;

public class ReasonCodeTests
{
    [Theory]
    [InlineData(SubjectType.Vin, NormalizeStatus.InvalidChecksum, "invalid-vin-checksum")]
    [InlineData(SubjectType.Vin, NormalizeStatus.InvalidCharacter, "invalid-vin-format")]
    [InlineData(SubjectType.Mac, NormalizeStatus.InvalidCharacter, "invalid-mac-format")]
    [InlineData(SubjectType.Mac, NormalizeStatus.NotUnicast, "invalid-mac-not-unicast")]
    [InlineData(SubjectType.Phone, NormalizeStatus.InvalidLength, "invalid-phone-length")]
    [InlineData(SubjectType.Phone, NormalizeStatus.Empty, "invalid-phone-empty")]
    [InlineData(SubjectType.DeviceId, NormalizeStatus.TooLong, "invalid-device-id-too-long")]
    [InlineData(SubjectType.DeviceId, NormalizeStatus.Ok, "ok")]
    public void Codes_are_stable(SubjectType type, NormalizeStatus status, string expected)
    {
        Assert.Equal(expected, IdentifierNormalizer.ToReasonCode(type, status));
    }

    [Fact]
    public void Every_combination_has_a_distinct_lower_case_code_that_is_not_allocated_per_call()
    {
        var seen = new HashSet<string>();
        foreach (SubjectType type in Enum.GetValues<SubjectType>())
        {
            foreach (NormalizeStatus status in Enum.GetValues<NormalizeStatus>())
            {
                string code = IdentifierNormalizer.ToReasonCode(type, status);
                Assert.Matches("^[a-z-]+$", code);
                Assert.Same(code, IdentifierNormalizer.ToReasonCode(type, status));
                if (status != NormalizeStatus.Ok)
                {
                    Assert.True(seen.Add(code), code);
                }
            }
        }
    }

    [Fact]
    public void Undefined_values_get_a_generic_code()
    {
        Assert.Equal("invalid-identifier", IdentifierNormalizer.ToReasonCode((SubjectType)9, NormalizeStatus.Empty));
        Assert.Equal("invalid-identifier", IdentifierNormalizer.ToReasonCode(SubjectType.Vin, (NormalizeStatus)99));
    }
}
