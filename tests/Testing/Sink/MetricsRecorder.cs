using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Sieve.Testing.Sink;

/// <summary>Records every measurement of one meter's instruments, with its tags, from when it is created.</summary>
internal sealed class MetricsRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<(string Name, double Value, Dictionary<string, string?> Tags)> _measurements = new();

    public MetricsRecorder(Meter meter)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter == meter)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument.Name, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument.Name, value, tags));
        _listener.Start();
    }

    /// <summary>The measurements of <paramref name="name"/> so far, in order.</summary>
    public List<(double Value, Dictionary<string, string?> Tags)> Of(string name) =>
        _measurements.Where(m => m.Name == name).Select(m => (m.Value, m.Tags)).ToList();

    /// <summary>The sum of <paramref name="name"/>'s measurements whose tag <paramref name="tag"/> is <paramref name="value"/>.</summary>
    public double Sum(string name, string tag, string value) => Of(name).Where(m => m.Tags.GetValueOrDefault(tag) == value).Sum(m => m.Value);

    public void Dispose() => _listener.Dispose();

    private void Record(string name, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (KeyValuePair<string, object?> tag in tags)
        {
            copy[tag.Key] = tag.Value?.ToString();
        }

        _measurements.Enqueue((name, value, copy));
    }
}
