using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Sieve.Core.Teltonika.Server;

namespace Sieve.Testing.Teltonika;

/// <summary>Listens to one host's <c>Sieve.Ingest</c> instruments and lets tests await totals (never timing).</summary>
internal sealed class IngestMetricsRecorder : IDisposable
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);

    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<(string Instrument, string? Tag), double> _totals = new();
    private readonly ConcurrentDictionary<(string Instrument, string? Tag), long> _counts = new();
    private readonly ConcurrentQueue<string> _tagValues = new();
    private readonly SemaphoreSlim _changed = new(0);

    public IngestMetricsRecorder(IMeterFactory scope)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == TeltonikaMetrics.MeterName && ReferenceEquals(instrument.Meter.Scope, scope))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument.Name, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument.Name, value, tags));
        _listener.Start();
    }

    /// <summary>Every tag value seen (to check none is an identifier).</summary>
    public IReadOnlyCollection<string> TagValues => _tagValues;

    public double Total(string instrument, string? tag = null) => _totals.GetValueOrDefault((instrument, tag));

    /// <summary>How many measurements <paramref name="instrument"/> took (with a tag of value <paramref name="tag"/>); for histograms.</summary>
    public long Count(string instrument, string? tag = null) => _counts.GetValueOrDefault((instrument, tag));

    public double Rejects(string reason) => Total("sieve.ingest.teltonika.rejects", reason);

    /// <summary>Waits until <paramref name="condition"/> holds; fails the test after a generous guard.</summary>
    public async Task WaitForAsync(Func<IngestMetricsRecorder, bool> condition, string what)
    {
        using var guard = new CancellationTokenSource(Guard);
        while (!condition(this))
        {
            try
            {
                await _changed.WaitAsync(guard.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail("Metrics never showed: " + what);
            }
        }
    }

    public void Dispose()
    {
        _listener.Dispose();
        _changed.Dispose();
    }

    private void Record(string instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        _totals.AddOrUpdate((instrument, null), value, (_, old) => old + value);
        _counts.AddOrUpdate((instrument, null), 1, (_, old) => old + 1);
        foreach (KeyValuePair<string, object?> tag in tags)
        {
            string text = tag.Value?.ToString() ?? string.Empty;
            _tagValues.Enqueue(text);
            _totals.AddOrUpdate((instrument, text), value, (_, old) => old + value);
            _counts.AddOrUpdate((instrument, text), 1, (_, old) => old + 1);
        }

        _changed.Release();
    }
}
