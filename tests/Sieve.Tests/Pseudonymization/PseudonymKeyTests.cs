using System.Text;
using Sieve.Contracts.Identifiers;
using Sieve.Contracts.Pseudonymization;
using Sieve.Contracts.Purposes;
using Sieve.Testing.Pseudonymization;

namespace Sieve.Tests.Pseudonymization;

public class PseudonymKeyTests
{
    private const long Nov25Midnight = 1795564800000; // 2026-11-25T00:00:00Z
    private const long OneDay = 86_400_000;

    private readonly PseudonymKeyFactory _factory = new(MasterKeyRing.CreateDemo());

    // Known answers computed outside this code base: HKDF-SHA256 and HMAC-SHA256 per the documented derivation,
    // under the demo master key. They pin the derivation, so a change to salt, info, type byte or encoding shows.
    [Theory]
    [InlineData(KnownPurposes.Analytics, "2026-11-25", SubjectType.Vin, "1M8GDM9AXKP042788", "uyeyetm5iuo7sufqlbhawtwgpyj2dnrk")]
    [InlineData(KnownPurposes.Positioning, PseudonymKeyFactory.StableEpoch, SubjectType.Phone, "+8613800138000", "e3zetr7psqhgdgyknadfffuiqklgdm5w")]
    public void Known_answers(string purpose, string epoch, SubjectType type, string normalized, string expected)
    {
        using PseudonymKey key = _factory.Create(purpose, epoch);
        Assert.Equal(expected, key.ComputeString(type, normalized));
    }

    [Fact]
    public void Same_subject_same_purpose_is_equal_across_key_instances()
    {
        using PseudonymKey a = _factory.Create(KnownPurposes.Positioning, PseudonymKeyFactory.StableEpoch);
        using PseudonymKey b = new PseudonymKeyFactory(MasterKeyRing.CreateDemo()).Create(KnownPurposes.Positioning, PseudonymKeyFactory.StableEpoch);
        Assert.Equal(a.ComputeString(SubjectType.Vin, "1M8GDM9AXKP042788"), a.ComputeString(SubjectType.Vin, "1M8GDM9AXKP042788"));
        Assert.Equal(a.ComputeString(SubjectType.Vin, "1M8GDM9AXKP042788"), b.ComputeString(SubjectType.Vin, "1M8GDM9AXKP042788"));
    }

    [Fact]
    public void Different_purposes_differ()
    {
        var pseudonyms = new HashSet<string>();
        foreach (string purpose in KnownPurposes.All.Append(PseudonymKeyFactory.ConsentIndexPurpose))
        {
            using PseudonymKey key = _factory.Create(purpose, PseudonymKeyFactory.StableEpoch);
            Assert.True(pseudonyms.Add(key.ComputeString(SubjectType.Vin, "1M8GDM9AXKP042788")), purpose);
        }
    }

    [Fact]
    public void Different_types_with_the_same_text_differ()
    {
        using PseudonymKey key = _factory.Create(KnownPurposes.AfterSales, PseudonymKeyFactory.StableEpoch);
        var pseudonyms = new HashSet<string>();
        foreach (SubjectType type in Enum.GetValues<SubjectType>())
        {
            Assert.True(pseudonyms.Add(key.ComputeString(type, "490154203237518")), type.ToString());
        }
    }

    [Fact]
    public void Different_subjects_differ()
    {
        using PseudonymKey key = _factory.Create(KnownPurposes.Positioning, PseudonymKeyFactory.StableEpoch);
        Assert.NotEqual(key.ComputeString(SubjectType.Vin, "1M8GDM9AXKP042788"), key.ComputeString(SubjectType.Vin, "1HGCM82633A004352"));
    }

    [Fact]
    public void Daily_analytics_epochs_are_equal_within_a_day_and_differ_across_days()
    {
        string morning = PseudonymKeyFactory.DailyEpoch(Nov25Midnight);
        string lastMillisecond = PseudonymKeyFactory.DailyEpoch(Nov25Midnight + OneDay - 1);
        string nextDay = PseudonymKeyFactory.DailyEpoch(Nov25Midnight + OneDay);
        Assert.Equal("2026-11-25", morning);
        Assert.Equal("2026-11-25", lastMillisecond);
        Assert.Equal("2026-11-26", nextDay);

        using PseudonymKey a = _factory.Create(KnownPurposes.Analytics, morning);
        using PseudonymKey b = _factory.Create(KnownPurposes.Analytics, lastMillisecond);
        using PseudonymKey c = _factory.Create(KnownPurposes.Analytics, nextDay);
        string first = a.ComputeString(SubjectType.Mac, "00:1a:2b:3c:4d:5e");
        Assert.Equal(first, b.ComputeString(SubjectType.Mac, "00:1a:2b:3c:4d:5e"));
        Assert.NotEqual(first, c.ComputeString(SubjectType.Mac, "00:1a:2b:3c:4d:5e"));
    }

    [Theory]
    [InlineData(0L, "1970-01-01")]
    [InlineData(-1L, "1969-12-31")]
    [InlineData(951_782_400_000L, "2000-02-29")]
    public void Daily_epoch_is_the_UTC_date(long unixMillis, string expected)
    {
        Assert.Equal(expected, PseudonymKeyFactory.DailyEpoch(unixMillis));
    }

    [Fact]
    public void Different_master_keys_differ()
    {
        MasterKeyRing ring = new([TestRings.RandomKey("k2"), TestRings.RandomKey("k1")], "k2");
        var factory = new PseudonymKeyFactory(ring);
        using PseudonymKey active = factory.Create(KnownPurposes.Positioning, PseudonymKeyFactory.StableEpoch);
        using PseudonymKey older = factory.Create(KnownPurposes.Positioning, PseudonymKeyFactory.StableEpoch, ring.Keys[1]);
        using PseudonymKey demo = _factory.Create(KnownPurposes.Positioning, PseudonymKeyFactory.StableEpoch);
        string a = active.ComputeString(SubjectType.Vin, "1M8GDM9AXKP042788");
        string b = older.ComputeString(SubjectType.Vin, "1M8GDM9AXKP042788");
        string c = demo.ComputeString(SubjectType.Vin, "1M8GDM9AXKP042788");
        Assert.NotEqual(a, b);
        Assert.NotEqual(a, c);
        Assert.NotEqual(b, c);
        Assert.Equal("k2/positioning/stable", active.KeyId);
        Assert.Equal("k1/positioning/stable", older.KeyId);
    }

    [Fact]
    public void Output_is_thirty_two_characters_of_lower_case_base32()
    {
        using PseudonymKey key = _factory.Create(KnownPurposes.Marketing, PseudonymKeyFactory.StableEpoch);
        for (int i = 0; i < 500; i++)
        {
            string pseudonym = key.ComputeString(SubjectType.DeviceId, "device-" + i);
            Assert.Matches("^[a-z2-7]{32}$", pseudonym);
        }
    }

    [Fact]
    public void Compute_writes_only_the_first_thirty_two_bytes()
    {
        using PseudonymKey key = _factory.Create(KnownPurposes.Marketing, PseudonymKeyFactory.StableEpoch);
        byte[] destination = Enumerable.Repeat((byte)'#', 40).ToArray();
        key.Compute(SubjectType.Vin, "1M8GDM9AXKP042788"u8, destination);
        Assert.Equal(key.ComputeString(SubjectType.Vin, "1M8GDM9AXKP042788"), Encoding.ASCII.GetString(destination, 0, 32));
        Assert.Equal("########", Encoding.ASCII.GetString(destination, 32, 8));
    }

    [Fact]
    public void Key_id_names_master_key_purpose_and_epoch()
    {
        var factory = new PseudonymKeyFactory(TestRings.Single("k1"));
        using PseudonymKey analytics = factory.Create(KnownPurposes.Analytics, PseudonymKeyFactory.DailyEpoch(Nov25Midnight + 3_600_000));
        using PseudonymKey positioning = factory.Create(KnownPurposes.Positioning, PseudonymKeyFactory.StableEpoch);
        using PseudonymKey consent = factory.Create(PseudonymKeyFactory.ConsentIndexPurpose, PseudonymKeyFactory.StableEpoch);
        Assert.Equal("k1/analytics/2026-11-25", analytics.KeyId);
        Assert.Equal("k1/positioning/stable", positioning.KeyId);
        Assert.Equal("k1/consent-index/stable", consent.KeyId);
        Assert.Equal("k1/analytics/2026-11-25"u8.ToArray(), analytics.KeyIdUtf8.ToArray());
        Assert.Equal(("k1", "analytics", "2026-11-25"), (analytics.MasterKeyId, analytics.Purpose, analytics.Epoch));
        Assert.Equal("PseudonymKey(k1/analytics/2026-11-25)", analytics.ToString());
    }

    [Theory]
    [InlineData("analytics/x", "stable")]
    [InlineData("analytics;epoch=x", "stable")]
    [InlineData("", "stable")]
    [InlineData("analytics", "")]
    [InlineData("analytics", "2026/11/25")]
    public void Names_that_would_make_key_ids_ambiguous_are_rejected(string purpose, string epoch)
    {
        Assert.Throws<ArgumentException>(() => _factory.Create(purpose, epoch));
    }

    [Fact]
    public void Misuse_is_reported()
    {
        PseudonymKey key = _factory.Create(KnownPurposes.Positioning, PseudonymKeyFactory.StableEpoch);
        Assert.Throws<ArgumentException>(() => key.Compute(SubjectType.Vin, "x"u8, new byte[31]));
        Assert.Throws<ArgumentOutOfRangeException>(() => key.Compute((SubjectType)7, "x"u8, new byte[32]));
        key.Dispose();
        Assert.Throws<ObjectDisposedException>(() => key.Compute(SubjectType.Vin, "x"u8, new byte[32]));
    }
}
