using System.Text;
using Sieve.Core.Policy;

namespace Sieve.Tests.Generalization;

public class InterestCategoryMapTests
{
    private static readonly InterestCategoryMap Map = InterestCategoryMap.Create(
    [
        new("autohome.com.cn", "automotive"),
        new("dongchedi.com", "automotive"),
        new("ctrip.com", "travel"),
        new("v.qq.com", "video"),
        new("qq.com", "social"),
    ]);

    private static string? CategoryOf(string domain)
    {
        int index = Map.Lookup(Encoding.UTF8.GetBytes(domain));
        return index < 0 ? null : Map.CategoryName(index);
    }

    [Fact]
    public void Numbers_categories_in_order_of_first_appearance()
    {
        Assert.Equal(4, Map.CategoryCount);
        Assert.Equal(5, Map.DomainCount);
        Assert.Equal("automotive", Map.CategoryName(0));
        Assert.Equal("travel", Map.CategoryName(1));
        Assert.Equal("video", Map.CategoryName(2));
        Assert.Equal("social", Map.CategoryName(3));
        Assert.Equal("travel"u8.ToArray(), Map.CategoryUtf8(1).ToArray());
    }

    [Theory]
    [InlineData("autohome.com.cn", "automotive")]
    [InlineData("m.autohome.com.cn", "automotive")]
    [InlineData("club.m.autohome.com.cn", "automotive")]
    [InlineData("AutoHome.COM.cn", "automotive")]
    [InlineData("autohome.com.cn.", "automotive")]
    [InlineData("www.dongchedi.com", "automotive")]
    [InlineData("flights.ctrip.com", "travel")]
    [InlineData("v.qq.com", "video")]
    [InlineData("film.v.qq.com", "video")]
    [InlineData("mail.qq.com", "social")]
    public void Matches_the_domain_or_a_parent(string domain, string expected) =>
        Assert.Equal(expected, CategoryOf(domain));

    [Theory]
    [InlineData("notautohome.com.cn")]
    [InlineData("autohome.com")]
    [InlineData("com.cn")]
    [InlineData("cn")]
    [InlineData("ctrip.com.evil.example")]
    [InlineData("")]
    [InlineData(".")]
    [InlineData("autohome.com.cn..")]
    [InlineData("汽车.autohome.com.cn")]
    public void Does_not_match_other_domains(string domain) => Assert.Null(CategoryOf(domain));

    [Fact]
    public void Rejects_domains_longer_than253_bytes()
    {
        string longest = new string('a', 63) + "." + new string('b', 63) + "." + new string('c', 63) + "." + new string('d', 51) + ".ctrip.com";
        Assert.Equal(253, longest.Length);
        Assert.Equal("travel", CategoryOf(longest));
        Assert.Equal("travel", CategoryOf(longest + "."));
        Assert.Null(CategoryOf("x" + longest));
    }

    [Fact]
    public void Empty_map_matches_nothing()
    {
        Assert.Equal(-1, InterestCategoryMap.Empty.Lookup("ctrip.com"u8));
        Assert.Equal(0, InterestCategoryMap.Empty.CategoryCount);
        Assert.Throws<ArgumentOutOfRangeException>(() => InterestCategoryMap.Empty.CategoryName(0));
    }

    [Fact]
    public void Category_accessors_reject_bad_indexes()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Map.CategoryName(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Map.CategoryUtf8(4).Length);
    }

    [Theory]
    [InlineData("")]
    [InlineData("ctrip.com.")]
    [InlineData(".ctrip.com")]
    [InlineData("ct rip.com")]
    [InlineData("-ctrip.com")]
    [InlineData("携程.com")]
    public void Create_rejects_invalid_domains(string domain) =>
        Assert.Throws<ArgumentException>(() => InterestCategoryMap.Create([new(domain, "travel")]));

    [Fact]
    public void Create_rejects_domains_listed_twice_ignoring_case() =>
        Assert.Throws<ArgumentException>(() => InterestCategoryMap.Create([new("ctrip.com", "travel"), new("CTRIP.com", "shopping")]));

    [Fact]
    public void Create_rejects_empty_categories() =>
        Assert.Throws<ArgumentException>(() => InterestCategoryMap.Create([new("ctrip.com", " ")]));
}
