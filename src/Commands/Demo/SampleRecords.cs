using Avro.Generic;

namespace Sieve.Commands.Demo;

/// <summary>
/// The sample records the demo prints at the end: per purpose topic, up to <see cref="PerSource"/> telematics and
/// <see cref="PerSource"/> Wi-Fi records, each of a different subject. A Wi-Fi record that shows more of what a visit
/// becomes under the purpose (outlet, dwell time, interest categories) replaces one that shows less, so the samples
/// show a session rather than only sightings. Thread-safe.
/// </summary>
public sealed class SampleRecords
{
    /// <summary>Samples kept per topic and source.</summary>
    public const int PerSource = 3;

    private static readonly string[] VisitFields = ["outletId", "dwellSeconds", "interests"];

    private readonly Lock _gate = new();
    private readonly Dictionary<string, List<Sample>> _byTopicAndSource = new(StringComparer.Ordinal);
    private readonly HashSet<string> _complete = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _offers = new(StringComparer.Ordinal);

    /// <summary>
    /// Records offered per topic before its samples are taken as they are: a run whose Wi-Fi visits never carry
    /// every visit field would otherwise decode every record of the topic.
    /// </summary>
    public const int MaxOffersPerTopic = 5_000;

    /// <summary>False once <paramref name="topic"/> has all its samples, each as telling as a record can be; the caller then need not decode.</summary>
    public bool Wants(string topic)
    {
        lock (_gate)
        {
            return !_complete.Contains(topic);
        }
    }

    /// <summary>Considers one record read from <paramref name="topic"/>.</summary>
    public void Offer(string topic, GenericRecord record)
    {
        if (!record.TryGetValue("subject", out object? subjectValue) || subjectValue is not string subject)
        {
            // Not a purpose record (quarantine.v1, audit.v1): nothing of it is shown as a sample.
            lock (_gate)
            {
                _complete.Add(topic);
            }

            return;
        }

        string source = record.TryGetValue("source", out object? sourceValue) && sourceValue is GenericEnum e ? e.Value : "?";
        (int score, int best) = Score(record, source);
        lock (_gate)
        {
            int offers = _offers.GetValueOrDefault(topic) + 1;
            _offers[topic] = offers;
            if (offers >= MaxOffersPerTopic)
            {
                _complete.Add(topic);
            }

            string key = topic + "\n" + source;
            if (!_byTopicAndSource.TryGetValue(key, out List<Sample>? samples))
            {
                samples = [];
                _byTopicAndSource[key] = samples;
            }

            if (samples.Exists(s => s.Subject == subject))
            {
                return;
            }

            if (samples.Count < PerSource)
            {
                samples.Add(new Sample(subject, score, best, OutputWatcher.ToJson(record)));
            }
            else
            {
                int weakest = samples.FindIndex(s => s.Score == samples.Min(m => m.Score));
                if (samples[weakest].Score >= score)
                {
                    return;
                }

                samples[weakest] = new Sample(subject, score, best, OutputWatcher.ToJson(record));
            }

            if (IsComplete(topic))
            {
                _complete.Add(topic);
            }
        }
    }

    /// <summary>The samples per topic, as one-line JSON: telematics first, then Wi-Fi.</summary>
    public Dictionary<string, List<string>> Snapshot()
    {
        lock (_gate)
        {
            var result = new Dictionary<string, List<string>>(StringComparer.Ordinal);
            foreach ((string key, List<Sample> samples) in _byTopicAndSource.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                string topic = key[..key.IndexOf('\n', StringComparison.Ordinal)];
                if (!result.TryGetValue(topic, out List<string>? list))
                {
                    list = [];
                    result[topic] = list;
                }

                list.AddRange(samples.Select(s => s.Json));
            }

            return result;
        }
    }

    /// <summary>How many visit fields the record fills, of how many its schema has (Wi-Fi only; other sources score 0 of 0).</summary>
    private static (int Score, int Best) Score(GenericRecord record, string source)
    {
        if (source != "WIFI")
        {
            return (0, 0);
        }

        int score = 0;
        int best = 0;
        foreach (string field in VisitFields)
        {
            if (!record.Schema.Fields.Exists(f => f.Name == field))
            {
                continue;
            }

            best++;
            object? value = record[field];
            if (value is not null && value is not object[] { Length: 0 })
            {
                score++;
            }
        }

        return (score, best);
    }

    private bool IsComplete(string topic)
    {
        foreach (string source in (string[])["TELEMATICS", "WIFI"])
        {
            if (!_byTopicAndSource.TryGetValue(topic + "\n" + source, out List<Sample>? samples)
                || samples.Count < PerSource || samples.Exists(s => s.Score < s.Best))
            {
                return false;
            }
        }

        return true;
    }

    private readonly record struct Sample(string Subject, int Score, int Best, string Json);
}
