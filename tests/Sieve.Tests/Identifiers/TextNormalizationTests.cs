using Sieve.Contracts.Identifiers;
using Sieve.Testing.Identifiers;

namespace Sieve.Tests.Identifiers;

/// <summary>The string overload of <see cref="IdentifierNormalizer"/> agrees with the span one it wraps.</summary>
public sealed class TextNormalizationTests
{
    [Theory]
    [InlineData(SubjectType.Vin, " lsvau218xn2183294 ")]
    [InlineData(SubjectType.Vin, "LSVAU2181N2183294")]
    [InlineData(SubjectType.Phone, "138 0013 8000")]
    [InlineData(SubjectType.Phone, "+86 (10) 1234")]
    [InlineData(SubjectType.Mac, "AA-BB-CC-DD-EE-FF")]
    [InlineData(SubjectType.Mac, "01:00:5e:00:00:01")]
    [InlineData(SubjectType.DeviceId, "356307042441013")]
    [InlineData(SubjectType.DeviceId, "Gateway_7.North")]
    [InlineData(SubjectType.DeviceId, "")]
    [InlineData(SubjectType.Vin, "ＬＳＶＡＵ218XN2183294")]
    [InlineData(SubjectType.DeviceId, "unit-😀")]
    public void The_text_overload_gives_what_the_span_overload_gives(SubjectType type, string raw)
    {
        (NormalizeStatus expected, string? value, _) = Normalized.Of(type, raw);

        NormalizeStatus status = IdentifierNormalizer.TryNormalize(type, raw, out string normalized);

        Assert.Equal(expected, status);
        Assert.Equal(value ?? "", normalized);
    }

    [Fact]
    public void Text_longer_than_the_raw_limit_is_too_long_unread()
    {
        string raw = new('1', IdentifierNormalizer.MaxRawLength + 1);

        Assert.Equal(NormalizeStatus.TooLong, IdentifierNormalizer.TryNormalize(SubjectType.DeviceId, raw, out string normalized));
        Assert.Equal("", normalized);
        Assert.Equal(NormalizeStatus.TooLong, Normalized.Of(SubjectType.DeviceId, raw).Status);
    }
}
