using System.Runtime.CompilerServices;
using System.Text;
using Confluent.Kafka;
using Sieve.Core.Privacy;
using Sieve.Testing.EndToEnd;

namespace Sieve.Testing.Privacy;

/// <summary>Test assertions over <see cref="RawIdentifierScanner"/>: each fails naming where a hit is and its kind, never the identifier.</summary>
internal static class RawIdentifierScannerAssertions
{
    /// <summary>Fails, naming <paramref name="where"/> and the kind of hit, when <paramref name="data"/> holds an identifier.</summary>
    public static void AssertClean(this RawIdentifierScanner scanner, ReadOnlySpan<byte> data, string where)
    {
        string? found = scanner.Find(data);
        Assert.True(found is null, $"{where} contains {found}");
    }

    /// <summary>Fails, naming <paramref name="where"/> and the kind of hit, when <paramref name="text"/> holds an identifier.</summary>
    public static void AssertClean(this RawIdentifierScanner scanner, string text, string where) => scanner.AssertClean(Encoding.UTF8.GetBytes(text), where);

    /// <summary>Fails naming the line number when any line holds an identifier.</summary>
    [OverloadResolutionPriority(1)]
    public static void AssertClean(this RawIdentifierScanner scanner, IReadOnlyList<string> lines, string source)
    {
        for (int i = 0; i < lines.Count; i++)
        {
            if (scanner.Find(lines[i]) is { } hit)
            {
                Assert.Fail("Raw identifier in " + source + " line " + i + ": " + hit + ".");
            }
        }
    }

    /// <summary>Fails naming topic, partition, offset and part when any record's key, value or headers hold an identifier.</summary>
    public static void AssertClean(this RawIdentifierScanner scanner, IEnumerable<ConsumeResult<byte[], byte[]>> records)
    {
        foreach (ConsumeResult<byte[], byte[]> record in records)
        {
            string where = "topic " + record.Topic + " [" + record.Partition.Value + "] @" + record.Offset.Value;
            Check(scanner, where + " key", record.Message.Key);
            Check(scanner, where + " value", record.Message.Value);
            if (record.Message.Headers is { } headers)
            {
                foreach (IHeader header in headers)
                {
                    Check(scanner, where + " header name", Encoding.UTF8.GetBytes(header.Key));
                    Check(scanner, where + " header value", header.GetValueBytes());
                }
            }
        }
    }

    /// <summary>Reads every topic to its end and scans every record; returns how many records were scanned.</summary>
    public static async Task<int> AssertTopicsCleanAsync(this RawIdentifierScanner scanner, string bootstrapServers, IEnumerable<string> topics)
    {
        int scanned = 0;
        foreach (string topic in topics)
        {
            using TopicTail<bool> tail = TopicTail<bool>.Start(bootstrapServers, topic, static _ => true);
            List<Tailed<bool>> records = await tail.ReadToEndAsync(TimeSpan.FromSeconds(30));
            scanner.AssertClean(records.Select(r => r.Raw));
            scanned += records.Count;
        }

        return scanned;
    }

    private static void Check(RawIdentifierScanner scanner, string where, byte[]? data)
    {
        if (data is not null && scanner.Find(data) is { } hit)
        {
            Assert.Fail("Raw identifier in " + where + ": " + hit + ".");
        }
    }
}
