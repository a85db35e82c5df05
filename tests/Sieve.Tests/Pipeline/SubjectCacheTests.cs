using System.Text;
using Sieve.Contracts.Identifiers;
using Sieve.Core.Pipeline;

namespace Sieve.Tests.Pipeline;

public class SubjectCacheTests
{
    private static SubjectEntry Add(SubjectCache cache, SubjectType type, string normalized)
    {
        byte[] bytes = Encoding.ASCII.GetBytes(normalized);
        var entry = new SubjectEntry(cache.Hash(type, bytes), type, bytes, 3);
        cache.Add(entry);
        return entry;
    }

    private static SubjectEntry? Find(SubjectCache cache, SubjectType type, string normalized)
    {
        byte[] bytes = Encoding.ASCII.GetBytes(normalized);
        return cache.TryGet(cache.Hash(type, bytes), type, bytes, out SubjectEntry? entry) ? entry : null;
    }

    [Fact]
    public void Finds_each_of_many_subjects_and_only_by_type_and_exact_identifier()
    {
        var cache = new SubjectCache(100_000);
        var entries = new Dictionary<string, SubjectEntry>();
        for (int i = 0; i < 50_000; i++)
        {
            // Lengths from 1 to 64 bytes, so short, word-sized and overlapping-tail hashing are all exercised.
            string id = (i * 7919).ToString("D", System.Globalization.CultureInfo.InvariantCulture).PadLeft(1 + (i % 64), 'x');
            entries.Add(id, Add(cache, SubjectType.DeviceId, id));
        }

        Assert.Equal(50_000, cache.Count);
        foreach ((string id, SubjectEntry entry) in entries)
        {
            Assert.Same(entry, Find(cache, SubjectType.DeviceId, id));
            Assert.Null(Find(cache, SubjectType.Mac, id));
            Assert.Null(Find(cache, SubjectType.DeviceId, id + "#"));
            Assert.Null(Find(cache, SubjectType.DeviceId, "#" + id[1..]));
        }
    }

    [Fact]
    public void The_same_bytes_under_two_types_are_two_subjects()
    {
        var cache = new SubjectCache(16);
        SubjectEntry device = Add(cache, SubjectType.DeviceId, "aa:bb:cc:dd:ee:ff");
        Assert.Null(Find(cache, SubjectType.Mac, "aa:bb:cc:dd:ee:ff"));
        SubjectEntry mac = Add(cache, SubjectType.Mac, "aa:bb:cc:dd:ee:ff");

        Assert.Same(device, Find(cache, SubjectType.DeviceId, "aa:bb:cc:dd:ee:ff"));
        Assert.Same(mac, Find(cache, SubjectType.Mac, "aa:bb:cc:dd:ee:ff"));
        Assert.Equal("aa:bb:cc:dd:ee:ff", Encoding.ASCII.GetString(mac.Normalized));
    }

    [Fact]
    public void When_full_the_old_generation_is_dropped_and_subjects_seen_since_survive()
    {
        var cache = new SubjectCache(16);
        SubjectEntry[] first = [.. Enumerable.Range(0, 16).Select(i => Add(cache, SubjectType.Vin, "FIRST" + i))];
        SubjectEntry[] second = [.. Enumerable.Range(0, 8).Select(i => Add(cache, SubjectType.Vin, "SECOND" + i))];

        // The first sixteen aged into the old generation and are still found; a hit promotes.
        Assert.Same(first[0], Find(cache, SubjectType.Vin, "FIRST0"));
        for (int i = 8; i < 15; i++)
        {
            Add(cache, SubjectType.Vin, "THIRD" + i);
        }

        // The young generation filled again: the old one (the first sixteen) is dropped, except the promoted one.
        Add(cache, SubjectType.Vin, "FOURTH");
        Assert.Same(first[0], Find(cache, SubjectType.Vin, "FIRST0"));
        Assert.Null(Find(cache, SubjectType.Vin, "FIRST1"));
        Assert.Same(second[7], Find(cache, SubjectType.Vin, "SECOND7"));
        Assert.True(cache.Count <= 32);

        cache.Clear();
        Assert.Equal(0, cache.Count);
        Assert.Null(Find(cache, SubjectType.Vin, "FIRST0"));
    }

    [Fact]
    public void A_new_entry_holds_no_pseudonym_and_no_consent()
    {
        var cache = new SubjectCache(16);
        SubjectEntry entry = Add(cache, SubjectType.Vin, "LSVAB4BG5HN000001");
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(long.MinValue, entry.PseudonymDay(i));
        }

        Assert.Null(entry.Consent);
        Assert.Throws<ArgumentOutOfRangeException>(() => new SubjectEntry(0, SubjectType.Vin, "X"u8, SubjectEntry.MaxPlans + 1));
    }
}
