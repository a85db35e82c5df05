using Sieve.Core.Consent;
using Sieve.Testing.Consent;

namespace Sieve.Tests.Consent;

public class InMemoryConsentStoreTests
{
    private static readonly string Key = TestConsentKeys.Make(1);

    [Fact]
    public async Task Applies_in_effective_time_order_and_invalidates_synchronously_only_on_change()
    {
        var store = new InMemoryConsentStore();
        var invalidated = new List<string>();
        store.Invalidated += invalidated.Add;

        Assert.True(await store.ApplyAsync(new ConsentUpdate(Key, 1, true, 200, "v1", false)));
        Assert.Equal([Key], invalidated);
        Assert.False(await store.ApplyAsync(new ConsentUpdate(Key, 1, false, 100, "v1", false)));
        Assert.Single(invalidated);

        ConsentRecord record = await store.GetAsync(Key);
        Assert.Equal(new PurposeConsent(ConsentState.Granted, 200, "v1"), record.GetPurpose(1));
        Assert.Equal(long.MaxValue, store.LastHeartbeatTimestamp);
    }

    [Fact]
    public async Task Fetch_answers_every_key_and_unknown_ones_with_Empty()
    {
        var store = new InMemoryConsentStore();
        await store.ApplyAsync(new ConsentUpdate(Key, 0, true, 1, "v1", true));
        string unknown = TestConsentKeys.Make(2);

        IReadOnlyDictionary<string, ConsentRecord> records = await store.FetchAsync([Key, unknown]);

        Assert.Equal(2, records.Count);
        Assert.True(records[Key].Minor);
        Assert.Same(ConsentRecord.Empty, records[unknown]);
    }

    [Fact]
    public async Task A_switched_off_store_fails_closed()
    {
        var store = new InMemoryConsentStore { IsAvailable = false };

        await Assert.ThrowsAsync<ConsentUnavailableException>(() => store.FetchAsync([Key]));
        await Assert.ThrowsAsync<ConsentUnavailableException>(() => store.GetAsync(Key));
        await Assert.ThrowsAsync<ConsentUnavailableException>(() => store.ApplyAsync(new ConsentUpdate(Key, 0, true, 1, "v1", false)));
        Assert.Equal(0, store.Count);
    }

    [Fact]
    public async Task A_malformed_key_is_rejected_without_echoing_it()
    {
        var store = new InMemoryConsentStore();
        const string raw = "WVWZZZ1JZXW000001";

        ArgumentException e = await Assert.ThrowsAsync<ArgumentException>(() => store.GetAsync(raw));
        Assert.DoesNotContain(raw, e.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentException>(() => store.ApplyAsync(new ConsentUpdate(raw, 0, true, 1, "v1", false)));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.ApplyAsync(new ConsentUpdate(Key, 99, true, 1, "v1", false)));
    }
}
