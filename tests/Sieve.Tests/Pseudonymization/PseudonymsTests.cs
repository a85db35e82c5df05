using Sieve.Contracts.Identifiers;
using Sieve.Contracts.Pseudonymization;
using Sieve.Contracts.Purposes;

namespace Sieve.Tests.Pseudonymization;

public class PseudonymsTests
{
    [Fact]
    public void Spellings_of_one_subject_get_one_pseudonym()
    {
        using PseudonymKey key = new PseudonymKeyFactory(MasterKeyRing.CreateDemo()).Create(KnownPurposes.Positioning, PseudonymKeyFactory.StableEpoch);
        string expected = key.ComputeString(SubjectType.Phone, "+8613800138000");
        foreach (string raw in new[] { "+86 138-0013-8000", "13800138000", "008613800138000" })
        {
            Assert.True(Pseudonyms.TryPseudonymize(key, SubjectType.Phone, raw, out string pseudonym, out NormalizeStatus status));
            Assert.Equal(NormalizeStatus.Ok, status);
            Assert.Equal(expected, pseudonym);
        }

        string mac = key.ComputeString(SubjectType.Mac, "aa:bb:cc:dd:ee:ff");
        foreach (string raw in new[] { "aa-bb-cc-dd-ee-ff", "AA:BB:CC:DD:EE:FF", "aabb.ccdd.eeff", "AABBCCDDEEFF" })
        {
            Assert.True(Pseudonyms.TryPseudonymize(key, SubjectType.Mac, raw, out string pseudonym, out _));
            Assert.Equal(mac, pseudonym);
        }
    }

    [Fact]
    public void Rejected_identifiers_give_the_status_and_no_pseudonym()
    {
        using PseudonymKey key = new PseudonymKeyFactory(MasterKeyRing.CreateDemo()).Create(KnownPurposes.Positioning, PseudonymKeyFactory.StableEpoch);
        Assert.False(Pseudonyms.TryPseudonymize(key, SubjectType.Vin, "LSVAU2180N2183294", out string pseudonym, out NormalizeStatus status));
        Assert.Equal(NormalizeStatus.InvalidChecksum, status);
        Assert.Equal("", pseudonym);

        Assert.False(Pseudonyms.TryPseudonymize(key, SubjectType.DeviceId, new string('a', 10_000), out pseudonym, out status));
        Assert.Equal(NormalizeStatus.TooLong, status);
        Assert.Equal("", pseudonym);
    }
}
