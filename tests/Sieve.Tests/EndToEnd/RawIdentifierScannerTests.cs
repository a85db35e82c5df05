using Sieve.Core.Privacy;
using System.Security.Cryptography;
using System.Text;
using Confluent.Kafka;
using Sieve.Testing.EndToEnd;
using Sieve.Testing.Privacy;
using Xunit.Sdk;

namespace Sieve.Tests.EndToEnd;

/// <summary>The scan the end-to-end tests rely on finds what it must, says where without saying what, and passes clean data.</summary>
public sealed class RawIdentifierScannerTests
{
    private const string Vin = "1M8GDM9AXKP042788";
    private const string Phone = "+86 138 0013 8000";
    private const string NormalizedPhone = "+8613800138000";
    private const string Mac = "02-1A-2B-3C-4D-5E";

    public static TheoryData<string> Planted()
    {
        var data = new TheoryData<string>();
        foreach (string form in new[] { Vin, Vin.ToLowerInvariant(), Phone, NormalizedPhone, Mac, "02:1a:2b:3c:4d:5e" })
        {
            byte[] utf8 = Encoding.UTF8.GetBytes(form);
            data.Add(Convert.ToBase64String(utf8));
            foreach (byte[] digest in new[] { MD5.HashData(utf8), SHA1.HashData(utf8), SHA256.HashData(utf8) })
            {
                data.Add(Convert.ToBase64String(digest));
                data.Add(Convert.ToBase64String(Encoding.ASCII.GetBytes(Convert.ToHexStringLower(digest))));
                data.Add(Convert.ToBase64String(Encoding.ASCII.GetBytes(Convert.ToHexString(digest))));
                data.Add(Convert.ToBase64String(Encoding.ASCII.GetBytes(Convert.ToBase64String(digest))));
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Planted))]
    public void Finds_an_identifier_or_its_digest_inside_binary_data_and_names_only_its_kind(string plantedBase64)
    {
        RawIdentifierScanner scanner = Scanner();
        byte[] planted = Convert.FromBase64String(plantedBase64);
        byte[] message = [0xC3, 0x01, 7, 7, 7, 7, 7, 7, 7, 7, 0x40, .. planted, 0x00, 0x02];

        string? hit = scanner.Find(message);

        Assert.NotNull(hit);
        AssertNamesNoIdentifier(hit);
    }

    [Fact]
    public void Fails_a_record_naming_topic_partition_offset_and_part_but_not_the_identifier()
    {
        RawIdentifierScanner scanner = Scanner();
        var record = new ConsumeResult<byte[], byte[]>
        {
            Topic = "out.v1",
            Partition = new Partition(1),
            Offset = new Offset(42),
            Message = new Message<byte[], byte[]>
            {
                Key = Encoding.ASCII.GetBytes("abcdefghijklmnopqrstuvwxyz234567"),
                Value = [1, 2, 3],
                Headers = new Headers { { "trace", Encoding.ASCII.GetBytes(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(NormalizedPhone)))) } },
            },
        };

        XunitException failure = Assert.ThrowsAny<XunitException>(() => scanner.AssertClean([record]));

        Assert.Contains("out.v1 [1] @42 header value", failure.Message, StringComparison.Ordinal);
        Assert.Contains("Phone #0 (normalized) as SHA-256 hex (lower)", failure.Message, StringComparison.Ordinal);
        AssertNamesNoIdentifier(failure.Message);
    }

    [Fact]
    public void Fails_a_log_line_naming_its_number()
    {
        XunitException failure = Assert.ThrowsAny<XunitException>(() => Scanner().AssertClean(["started", "subject " + Vin.ToLowerInvariant() + " withheld"], "a log"));

        Assert.Contains("a log line 1", failure.Message, StringComparison.Ordinal);
        AssertNamesNoIdentifier(failure.Message);
    }

    [Fact]
    public void Passes_pseudonyms_codes_and_positions()
    {
        RawIdentifierScanner scanner = Scanner();

        Assert.Null(scanner.Find(Encoding.ASCII.GetBytes("k1/positioning/stable abcdefghijklmnopqrstuvwxyz234567 invalid-vin-checksum @17")));
        Assert.Null(scanner.Find("subject identifier 'vin' failed normalization: InvalidChecksum"));
        scanner.AssertClean([], "an empty log");
    }

    [Fact]
    public void Both_ways_of_making_a_scanner_look_for_every_form_and_encoding()
    {
        RawIdentifierScanner kinded = Scanner();
        RawIdentifierScanner unkinded = RawIdentifierScanner.For([Vin, Phone, Mac, "short"]);
        byte[] strippedMac = Encoding.UTF8.GetBytes("021A2B3C4D5E");
        foreach (byte[] planted in new[]
        {
            Encoding.UTF8.GetBytes("8613800138000"),
            strippedMac,
            Encoding.ASCII.GetBytes(Convert.ToHexStringLower(MD5.HashData(strippedMac))),
            Encoding.ASCII.GetBytes(Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(NormalizedPhone)))),
            SHA1.HashData(Encoding.UTF8.GetBytes(Vin.ToLowerInvariant())),
        })
        {
            byte[] message = [0x00, .. planted, 0x00];
            AssertNamesNoIdentifier(Assert.IsType<string>(kinded.Find(message)));
            AssertNamesNoIdentifier(Assert.IsType<string>(unkinded.Find(message)));
        }

        Assert.Equal(3, unkinded.IdentifierCount);
        Assert.Equal(unkinded.PatternCount, unkinded.NeedleCount);
        Assert.Null(unkinded.Find("short"));
    }

    private static RawIdentifierScanner Scanner() =>
        new([(IdentifierKind.Vin, Vin), (IdentifierKind.Phone, Phone), (IdentifierKind.Mac, Mac)]);

    private static void AssertNamesNoIdentifier(string text)
    {
        foreach (string form in new[] { Vin, Phone, NormalizedPhone, Mac, "02:1a:2b:3c:4d:5e", "13800138000" })
        {
            Assert.DoesNotContain(form, text, StringComparison.OrdinalIgnoreCase);
        }
    }
}
