using System.Text;
using Confluent.Kafka;
using Sieve.Core.Privacy;

namespace Sieve.Commands.Soak;

/// <summary>
/// Where a soak looked for raw identifiers and what it found, per place: items scanned, hits, and the first hit's
/// description (kind, index and form, never the identifier).
/// </summary>
/// <remarks>Thread-safe.</remarks>
internal sealed class LeakCounts
{
    private readonly Lock _lock = new();
    private readonly SortedDictionary<string, Place> _places = new(StringComparer.Ordinal);

    /// <summary>Items scanned, everywhere.</summary>
    public long Scanned => Totals().Scanned;

    /// <summary>Hits, everywhere.</summary>
    public long Hits => Totals().Hits;

    /// <summary>Per place: items scanned, hits, first hit.</summary>
    public List<(string Place, long Scanned, long Hits, string? FirstHit)> ByPlace()
    {
        lock (_lock)
        {
            var list = new List<(string, long, long, string?)>(_places.Count);
            foreach (KeyValuePair<string, Place> pair in _places)
            {
                list.Add((pair.Key, pair.Value.Scanned, pair.Value.Hits, pair.Value.FirstHit));
            }

            return list;
        }
    }

    /// <summary>Scans one Kafka record's key, value and headers as one item of <paramref name="place"/>.</summary>
    public void Scan(string place, RawIdentifierScanner scanner, byte[]? key, byte[]? value, Headers? headers)
    {
        ArgumentNullException.ThrowIfNull(scanner);
        string? hit = (key is null ? null : scanner.Find(key)) ?? (value is null ? null : scanner.Find(value));
        if (hit is null && headers is not null)
        {
            foreach (IHeader header in headers)
            {
                hit ??= scanner.Find(Encoding.UTF8.GetBytes(header.Key)) ?? scanner.Find(header.GetValueBytes());
            }
        }

        Count(place, hit);
    }

    /// <summary>Scans one text (a log line, a metrics page, a lake row's strings) as one item of <paramref name="place"/>.</summary>
    public void Scan(string place, RawIdentifierScanner scanner, string text)
    {
        ArgumentNullException.ThrowIfNull(scanner);
        Count(place, scanner.Find(text));
    }

    private (long Scanned, long Hits) Totals()
    {
        lock (_lock)
        {
            (long scanned, long hits) = (0, 0);
            foreach (Place place in _places.Values)
            {
                scanned += place.Scanned;
                hits += place.Hits;
            }

            return (scanned, hits);
        }
    }

    private void Count(string place, string? hit)
    {
        lock (_lock)
        {
            if (!_places.TryGetValue(place, out Place? counts))
            {
                _places[place] = counts = new Place();
            }

            counts.Scanned++;
            if (hit is not null)
            {
                counts.Hits++;
                counts.FirstHit ??= hit;
            }
        }
    }

    private sealed class Place
    {
        public long Scanned;
        public long Hits;
        public string? FirstHit;
    }
}
