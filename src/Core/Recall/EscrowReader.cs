using System.Text;
using Confluent.Kafka;
using Sieve.Contracts;

namespace Sieve.Core.Recall;

/// <summary>
/// Reads <c>quality.escrow.v1</c> (<see cref="Topics.QualityEscrow"/>): the latest entry per pseudonym, as compaction
/// keeps it. A tombstone removes an entry; a value that is not an escrow entry is counted and skipped. Never opens anything.
/// </summary>
public static class EscrowReader
{
    /// <summary>How long a read may take unless told otherwise.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The latest entry of each pseudonym in <paramref name="wanted"/> (every pseudonym when null), read from the
    /// beginning of <paramref name="topic"/> to its end as of now.
    /// </summary>
    /// <param name="config">Client settings (bootstrap servers, TLS, SASL); group and offsets are the reader's own.</param>
    /// <param name="topic">The escrow topic.</param>
    /// <param name="wanted">The pseudonyms asked about, or null for all.</param>
    /// <param name="timeout">How long reading to the end may take.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The entries found, and how many values could not be decoded.</returns>
    /// <exception cref="TimeoutException">The end was not reached in time.</exception>
    /// <exception cref="KafkaException">The cluster could not be read.</exception>
    public static (Dictionary<string, EscrowRecord> Entries, int Undecodable) ReadLatest(ConsumerConfig config, string topic, IReadOnlySet<string>? wanted,
        TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentException.ThrowIfNullOrEmpty(topic);
        var entries = new Dictionary<string, EscrowRecord>(StringComparer.Ordinal);
        int undecodable = 0;
        TopicSnapshot.Read(config, topic, result =>
        {
            if (result.Message.Key is not { } keyBytes)
            {
                undecodable++;
                return;
            }

            string key = Encoding.UTF8.GetString(keyBytes);
            if (wanted is not null && !wanted.Contains(key))
            {
                return;
            }

            if (result.Message.Value is null)
            {
                entries.Remove(key);
            }
            else if (EscrowCodec.TryDecode(result.Message.Value, out EscrowRecord? record, out _))
            {
                entries[key] = record;
            }
            else
            {
                undecodable++;
            }
        }, timeout, cancellationToken);
        return (entries, undecodable);
    }

    /// <summary>The latest escrow entry of <paramref name="pseudonym"/>, or null when it has none.</summary>
    /// <param name="bootstrap">Kafka bootstrap servers.</param>
    /// <param name="topic">The escrow topic, e.g. <see cref="Topics.QualityEscrow"/>.</param>
    /// <param name="pseudonym">The subject's quality pseudonym.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    public static Task<EscrowRecord?> FindAsync(string bootstrap, string topic, string pseudonym, CancellationToken cancellationToken = default) =>
        FindAsync(new ConsumerConfig { BootstrapServers = bootstrap }, topic, [pseudonym], cancellationToken);

    /// <summary>The latest escrow entry of any of <paramref name="pseudonyms"/> (the newest seal when several have one), or null.</summary>
    public static Task<EscrowRecord?> FindAsync(ConsumerConfig config, string topic, IReadOnlyCollection<string> pseudonyms, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pseudonyms);
        var wanted = new HashSet<string>(pseudonyms, StringComparer.Ordinal);
        return Task.Run(() =>
        {
            (Dictionary<string, EscrowRecord> entries, _) = ReadLatest(config, topic, wanted, DefaultTimeout, cancellationToken);
            EscrowRecord? newest = null;
            foreach (EscrowRecord record in entries.Values)
            {
                if (newest is null || record.SealedAtMillis > newest.SealedAtMillis)
                {
                    newest = record;
                }
            }

            return newest;
        }, cancellationToken);
    }
}
