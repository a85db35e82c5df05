using Sieve.Core.Generalization;
using Sieve.Core.Policy;

namespace Sieve.Tests.Generalization;

public class ZeroAllocationTests
{
    private const int Calls = 10_000;

    [Fact]
    public void Geohash_encode_allocates_nothing()
    {
        Span<byte> buffer = stackalloc byte[Geohash.MaxPrecision];
        int checksum = 0;
        for (int i = 0; i < 200; i++)
        {
            checksum += Geohash.Encode(39.9042, 116.4074, 1 + (i % 12), buffer);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < Calls; i++)
        {
            checksum += Geohash.Encode(-89.9 + (i % 179), -179.9 + (i % 359), 1 + (i % 12), buffer);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.True(checksum > 0);
    }

    [Fact]
    public void Interest_lookup_allocates_nothing()
    {
        InterestCategoryMap map = InterestCategoryMap.Create(
        [
            new("autohome.com.cn", "automotive"),
            new("dongchedi.com", "automotive"),
            new("ctrip.com", "travel"),
            new("jd.com", "shopping"),
        ]);
        byte[][] domains =
        [
            "club.m.autohome.com.cn"u8.ToArray(),
            "WWW.CTRIP.COM."u8.ToArray(),
            "notautohome.com.cn"u8.ToArray(),
            "example.org"u8.ToArray(),
            new byte[300],
        ];

        int hits = 0;
        for (int i = 0; i < 200; i++)
        {
            hits += map.Lookup(domains[i % domains.Length]) >= 0 ? 1 : 0;
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < Calls; i++)
        {
            hits += map.Lookup(domains[i % domains.Length]) >= 0 ? 1 : 0;
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.Equal((200 + Calls) * 2 / domains.Length, hits);
    }
}
