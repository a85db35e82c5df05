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
    public void Update_ToString_does_not_show_the_key()
    {
        string text = new ConsentUpdate(Key, 0, true, 1, "v1", false).ToString();
        Assert.DoesNotContain(Key, text, StringComparison.Ordinal);
    }
}
