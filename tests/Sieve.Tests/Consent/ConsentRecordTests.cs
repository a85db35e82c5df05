using Sieve.Contracts.Purposes;
using Sieve.Core.Consent;
using Sieve.Testing.Consent;

namespace Sieve.Tests.Consent;

public class ConsentRecordTests
{
    private static readonly string Key = TestConsentKeys.Make(1);

    [Fact]
    public void Empty_has_no_decision_and_is_not_a_minor()
    {
        Assert.True(ConsentRecord.Empty.IsEmpty);
        Assert.False(ConsentRecord.Empty.Minor);
        Assert.Equal(KnownPurposes.Count, ConsentRecord.Empty.Purposes.Length);
        foreach (PurposeConsent p in ConsentRecord.Empty.Purposes)
        {
            Assert.Equal(ConsentState.None, p.State);
        }
    }

    [Fact]
    public void Apply_orders_by_effective_time()
    {
        ConsentRecord granted = ConsentRecord.Empty.Apply(new ConsentUpdate(Key, 0, true, 200, "v2", false), out bool changed);
        Assert.True(changed);
        Assert.Equal(new PurposeConsent(ConsentState.Granted, 200, "v2"), granted.GetPurpose(0));

        ConsentRecord same = granted.Apply(new ConsentUpdate(Key, 0, false, 100, "v1", false), out changed);
        Assert.False(changed);
        Assert.Same(granted, same);

        ConsentRecord withdrawn = granted.Apply(new ConsentUpdate(Key, 0, false, 300, "v2", false), out changed);
        Assert.True(changed);
        Assert.Equal(new PurposeConsent(ConsentState.Withdrawn, 300, "v2"), withdrawn.GetPurpose(0));
        Assert.Equal(ConsentState.Granted, granted.GetPurpose(0).State);
    }

    [Fact]
    public void At_equal_times_a_withdrawal_beats_a_grant_and_replays_change_nothing()
    {
        ConsentRecord granted = ConsentRecord.Empty.Apply(new ConsentUpdate(Key, 2, true, 100, "v1", false), out _);
        ConsentRecord withdrawn = granted.Apply(new ConsentUpdate(Key, 2, false, 100, "v1", false), out bool changed);
        Assert.True(changed);
        Assert.Equal(ConsentState.Withdrawn, withdrawn.GetPurpose(2).State);

        withdrawn.Apply(new ConsentUpdate(Key, 2, true, 100, "v1", false), out changed);
        Assert.False(changed);
        withdrawn.Apply(new ConsentUpdate(Key, 2, false, 100, "v1", false), out changed);
        Assert.False(changed);
    }

    [Fact]
    public void Minor_is_sticky_and_set_even_by_an_old_change()
    {
        ConsentRecord granted = ConsentRecord.Empty.Apply(new ConsentUpdate(Key, 0, true, 500, "v1", false), out _);
        ConsentRecord minor = granted.Apply(new ConsentUpdate(Key, 0, true, 100, "v1", true), out bool changed);
        Assert.True(changed);
        Assert.True(minor.Minor);
        Assert.Equal(500, minor.GetPurpose(0).EffectiveTimeMillis);

        ConsentRecord later = minor.Apply(new ConsentUpdate(Key, 0, true, 900, "v3", false), out changed);
        Assert.True(changed);
        Assert.True(later.Minor);
    }

    [Fact]
    public void A_later_grant_replaces_an_earlier_one_expiry_included_and_an_older_one_changes_nothing()
    {
        ConsentRecord expiring = ConsentRecord.Empty.Apply(new ConsentUpdate(Key, 0, true, 100, "v1", false, expiresAtMillis: 1_000), out _);
        Assert.Equal(new PurposeConsent(ConsentState.Granted, 100, "v1", 1_000), expiring.GetPurpose(0));
        Assert.True(expiring.GetPurpose(0).HasExpiry);

        // A renewal without an end of its own lifts the earlier end.
        ConsentRecord renewed = expiring.Apply(new ConsentUpdate(Key, 0, true, 900, "v2", false), out bool changed);
        Assert.True(changed);
        Assert.Equal(PurposeConsent.NoExpiry, renewed.GetPurpose(0).ExpiresAtMillis);
        Assert.False(renewed.GetPurpose(0).HasExpiry);

        // An older grant with a later end does not reach back.
        Assert.Same(renewed, renewed.Apply(new ConsentUpdate(Key, 0, true, 500, "v1", false, expiresAtMillis: 99_999), out changed));
        Assert.False(changed);

        // A newer grant with an end of its own sets that end.
        ConsentRecord shortened = renewed.Apply(new ConsentUpdate(Key, 0, true, 950, "v3", false, expiresAtMillis: 2_000), out _);
        Assert.Equal(2_000, shortened.GetPurpose(0).ExpiresAtMillis);
    }

    [Fact]
    public void A_withdrawal_never_carries_an_expiry()
    {
        var update = new ConsentUpdate(Key, 0, false, 100, "v1", false, expiresAtMillis: 1_000);
        Assert.Equal(PurposeConsent.NoExpiry, update.ExpiresAtMillis);
        ConsentRecord withdrawn = ConsentRecord.Empty.Apply(update, out _);
        Assert.Equal(new PurposeConsent(ConsentState.Withdrawn, 100, "v1"), withdrawn.GetPurpose(0));
        Assert.False(withdrawn.GetPurpose(0).HasExpiry);
    }

    [Fact]
    public void Update_ToString_does_not_show_the_key()
    {
        string text = new ConsentUpdate(Key, 0, true, 1, "v1", false).ToString();
        Assert.DoesNotContain(Key, text, StringComparison.Ordinal);
    }
}
