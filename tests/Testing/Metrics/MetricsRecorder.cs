using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Sieve.Core.Teltonika.Server;

namespace Sieve.Testing.Metrics;

/// <summary>
/// Records every measurement of one meter's instruments, with its tags, from when it is created: one
/// <see cref="MetricCollector{T}"/> per instrument, made as the instrument is published. Tests read measurements per
/// instrument, sums per tag, and await totals (never timing).
/// </summary>
internal sealed class MetricsRecorder : IDisposable
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);

    private readonly MeterListener _discovery = new();
    private readonly ConcurrentQueue<Collector> _collectors = new();
    private TaskCompletionSource _published = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Records the instruments of <paramref name="meter"/>.</summary>
    public MetricsRecorder(Meter meter)
        : this(instrument => instrument.Meter == meter)
    {
    }

    /// <summary>Records the instruments of the meter named <paramref name="meterName"/> made by <paramref name="scope"/> (one host's meter factory).</summary>
    public MetricsRecorder(IMeterFactory scope, string meterName)
        : this(instrument => instrument.Meter.Name == meterName && ReferenceEquals(instrument.Meter.Scope, scope))
    {
    }

    private MetricsRecorder(Func<Instrument, bool> accept)
    {
        _discovery.InstrumentPublished = (instrument, _) =>
        {
            if (accept(instrument) && Collector.For(instrument) is { } collector)
            {
                _collectors.Enqueue(collector);
                Interlocked.Exchange(ref _published, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
            }
        };
        _discovery.Start();
    }

    /// <summary>Every tag value seen, on every instrument (to check none is an identifier).</summary>
    public IReadOnlyCollection<string> TagValues
    {
        get
        {
            var values = new List<string>();
            foreach (Collector collector in _collectors)
            {
                foreach ((_, Dictionary<string, string?> tags) in collector.Measurements())
                {
                    foreach (string? value in tags.Values)
                    {
                        values.Add(value ?? string.Empty);
                    }
                }
            }

            return values;
        }
    }

    /// <summary>One host's <c>Sieve.Ingest</c> instruments (Teltonika and gateway endpoints).</summary>
    public static MetricsRecorder Ingest(IMeterFactory scope) => new(scope, TeltonikaMetrics.MeterName);

    /// <summary>The measurements of <paramref name="name"/> so far, in order.</summary>
    public List<(double Value, Dictionary<string, string?> Tags)> Of(string name)
    {
        foreach (Collector collector in _collectors)
        {
            if (collector.Name == name)
            {
                return collector.Measurements();
            }
        }

        return [];
    }

    /// <summary>The sum of <paramref name="name"/>'s measurements whose tag <paramref name="tag"/> is <paramref name="value"/>.</summary>
    public double Sum(string name, string tag, string value) => Of(name).Where(m => m.Tags.GetValueOrDefault(tag) == value).Sum(m => m.Value);

    /// <summary>The sum of <paramref name="instrument"/>'s measurements (with any tag of value <paramref name="tag"/>).</summary>
    public double Total(string instrument, string? tag = null) => Matching(instrument, tag).Sum(m => m.Value);

    /// <summary>How many measurements <paramref name="instrument"/> took (with any tag of value <paramref name="tag"/>); for histograms.</summary>
    public long Count(string instrument, string? tag = null) => Matching(instrument, tag).Count();

    /// <summary>The Teltonika endpoint's rejects for <paramref name="reason"/>.</summary>
    public double Rejects(string reason) => Total("sieve.ingest.teltonika.rejects", reason);

    /// <summary>Waits until <paramref name="condition"/> holds, re-checking after each measurement; fails the test after a generous guard.</summary>
    public async Task WaitForAsync(Func<MetricsRecorder, bool> condition, string what)
    {
        using var guard = new CancellationTokenSource(Guard);
        while (true)
        {
            // What has been recorded is noted before the check, so a measurement taken during it still wakes the wait.
            Task published = Volatile.Read(ref _published).Task;
            Collector[] collectors = [.. _collectors];
            int[] counts = new int[collectors.Length];
            for (int i = 0; i < collectors.Length; i++)
            {
                counts[i] = collectors[i].Count;
            }

            if (condition(this))
            {
                return;
            }

            using var round = CancellationTokenSource.CreateLinkedTokenSource(guard.Token);
            var waits = new List<Task>(collectors.Length + 2) { published, Task.Delay(Timeout.Infinite, round.Token) };
            for (int i = 0; i < collectors.Length; i++)
            {
                waits.Add(collectors[i].WaitForMoreAsync(counts[i], round.Token));
            }

            await Task.WhenAny(waits);
            await round.CancelAsync();
            if (guard.IsCancellationRequested)
            {
                Assert.Fail("Metrics never showed: " + what);
            }
        }
    }

    public void Dispose()
    {
        _discovery.Dispose();
        foreach (Collector collector in _collectors)
        {
            collector.Dispose();
        }
    }

    private IEnumerable<(double Value, Dictionary<string, string?> Tags)> Matching(string instrument, string? tag) =>
        Of(instrument).Where(m => tag is null || m.Tags.ContainsValue(tag));

    /// <summary>A <see cref="MetricCollector{T}"/> of a long- or double-valued instrument, read as doubles.</summary>
    private abstract class Collector(string name) : IDisposable
    {
        public string Name { get; } = name;

        public abstract int Count { get; }

        public static Collector? For(Instrument instrument) => instrument switch
        {
            Instrument<long> i => new Of<long>(new MetricCollector<long>(i)),
            Instrument<double> i => new Of<double>(new MetricCollector<double>(i)),
            Instrument<int> i => new Of<int>(new MetricCollector<int>(i)),
            _ => null,
        };

        public abstract List<(double Value, Dictionary<string, string?> Tags)> Measurements();

        public abstract Task WaitForMoreAsync(int seen, CancellationToken cancellationToken);

        public abstract void Dispose();

        private sealed class Of<T>(MetricCollector<T> inner) : Collector(inner.Instrument!.Name)
            where T : struct
        {
            public override int Count => inner.GetMeasurementSnapshot().Count;

            public override List<(double Value, Dictionary<string, string?> Tags)> Measurements()
            {
                IReadOnlyList<CollectedMeasurement<T>> snapshot = inner.GetMeasurementSnapshot();
                var measurements = new List<(double Value, Dictionary<string, string?> Tags)>(snapshot.Count);
                foreach (CollectedMeasurement<T> m in snapshot)
                {
                    var tags = new Dictionary<string, string?>(StringComparer.Ordinal);
                    foreach (KeyValuePair<string, object?> tag in m.Tags)
                    {
                        tags[tag.Key] = tag.Value?.ToString();
                    }

                    measurements.Add((Convert.ToDouble(m.Value, CultureInfo.InvariantCulture), tags));
                }

                return measurements;
            }

            public override Task WaitForMoreAsync(int seen, CancellationToken cancellationToken) => inner.WaitForMeasurementsAsync(seen + 1, cancellationToken);

            public override void Dispose() => inner.Dispose();
        }
    }
}
