using Sieve.Contracts.Purposes;
using Sieve.Core.Consent;
using StackExchange.Redis;

namespace Sieve.Tests.Consent;

/// <summary>
/// The Redis value of a purpose decision. Grants that expire are written <c>E:{effective}:{expiresAt}:{policy}</c>;
/// everything else keeps the format from before grants could expire, and values in that format still read.
/// </summary>
public sealed class RedisConsentFormatTests
{
    [Theory]
    [InlineData("G:1700000000123:2026.1", ConsentState.Granted, 1_700_000_000_123L, "2026.1")]
    [InlineData("W:5:2026.1", ConsentState.Withdrawn, 5L, "2026.1")]
    [InlineData("G:-3:v:with:colons", ConsentState.Granted, -3L, "v:with:colons")]
    public void Values_in_the_format_from_before_expiry_read_as_decisions_with_no_expiry(string value, ConsentState state, long effective, string policy)
    {
        Assert.True(RedisConsentFormat.TryParseValue(value, out PurposeConsent consent));
        Assert.Equal(new PurposeConsent(state, effective, policy, PurposeConsent.NoExpiry), consent);
        Assert.False(consent.HasExpiry);
    }

    [Fact]
    public void An_expiring_grant_is_written_with_its_end_and_reads_back_the_same()
    {
        string value = RedisConsentFormat.FormatValue(granted: true, 1_700_000_000_000, 1_731_536_000_000, "2026:1");
        Assert.Equal("E:1700000000000:1731536000000:2026:1", value);
        Assert.True(RedisConsentFormat.TryParseValue(value, out PurposeConsent consent));
        Assert.Equal(new PurposeConsent(ConsentState.Granted, 1_700_000_000_000, "2026:1", 1_731_536_000_000), consent);
    }

    [Fact]
    public void Grants_without_an_end_and_withdrawals_are_still_written_in_the_earlier_format()
    {
        Assert.Equal("G:10:v1", RedisConsentFormat.FormatValue(granted: true, 10, PurposeConsent.NoExpiry, "v1"));
        Assert.Equal("W:10:v1", RedisConsentFormat.FormatValue(granted: false, 10, 99, "v1"));
    }

    [Theory]
    [InlineData("E:10:v1")]
    [InlineData("E:10:soon:v1")]
    [InlineData("E:10:")]
    [InlineData("X:10:v1")]
    [InlineData("G:ten:v1")]
    public void Unreadable_values_grant_nothing(string value)
    {
        Assert.False(RedisConsentFormat.TryParseValue(value, out PurposeConsent consent));
        Assert.Equal(default, consent);
    }

    [Fact]
    public void A_hash_mixing_both_formats_reads_into_one_record()
    {
        int positioning = KnownPurposes.IndexOf(KnownPurposes.Positioning);
        int personalization = KnownPurposes.IndexOf(KnownPurposes.Personalization);
        ConsentRecord record = RedisConsentFormat.Parse(
        [
            new HashEntry("p:" + KnownPurposes.Positioning, "G:100:v1"),
            new HashEntry("p:" + KnownPurposes.Personalization, "E:100:5000:v2"),
        ]);
        Assert.Equal(PurposeConsent.NoExpiry, record.GetPurpose(positioning).ExpiresAtMillis);
        Assert.Equal(5000, record.GetPurpose(personalization).ExpiresAtMillis);
    }
}
