using System.Globalization;
using System.Text;

namespace Sieve.Core.Privacy;

/// <summary>Settings of a privacy audit (<see cref="PrivacyAudit.Measure"/>).</summary>
public sealed record PrivacyAuditOptions
{
    /// <summary>A label for the report (e.g. the city profile and release).</summary>
    public string Label { get; init; } = "";

    /// <summary>Unicity is measured for p = 1..MaxPoints.</summary>
    public int MaxPoints { get; init; } = 4;

    /// <summary>Traces tested per p.</summary>
    public int UnicitySampleSize { get; init; } = 10_000;

    /// <summary>Seed of the unicity sampling.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>The k of <see cref="CellK"/>.</summary>
    public int K { get; init; } = 5;

    /// <summary>Per-cell counts are compared on (cell, bucket)s with at least this many true vehicles.</summary>
    public int MinVehiclesForCounts { get; init; } = 50;

    /// <summary>Settings of the chaining attack.</summary>
    public ChainingOptions Chaining { get; init; } = new();
}

/// <summary>Every figure of one privacy audit of a release.</summary>
/// <param name="Label">What was measured.</param>
/// <param name="Traces">Released traces (pseudonyms).</param>
/// <param name="ReleasedRecords">Released records.</param>
/// <param name="Unicity">Unicity for p = 1..n, points drawn from all of a trace's points.</param>
/// <param name="UnicityMoving">Unicity for p = 1..n, points drawn from those recorded while moving.</param>
/// <param name="HomeWork">The home/work attack.</param>
/// <param name="CellK">k per released (cell, bucket).</param>
/// <param name="Chaining">The chaining attack across pseudonyms.</param>
/// <param name="Utility">What the release keeps.</param>
public sealed record PrivacyReport(
    string Label,
    int Traces,
    long ReleasedRecords,
    IReadOnlyList<UnicityResult> Unicity,
    IReadOnlyList<UnicityResult> UnicityMoving,
    HomeWorkResult HomeWork,
    CellKResult CellK,
    ChainingResult Chaining,
    UtilityResult Utility)
{
    /// <summary>The report as a plain-text table, one measure a line.</summary>
    public string ToTable()
    {
        var sb = new StringBuilder();
        CultureInfo c = CultureInfo.InvariantCulture;
        sb.Append(c, $"privacy report: {Label}; {Traces:N0} traces, {ReleasedRecords:N0} released records").Append('\n');
        Row(sb, "measure", "value");
        Row(sb, new string('-', 60), new string('-', 30));
        for (int i = 0; i < Unicity.Count; i++)
        {
            UnicityResult all = Unicity[i];
            string moving = i < UnicityMoving.Count ? Percent(UnicityMoving[i].Share) : "n/a";
            Row(sb, string.Create(c, $"unicity, p = {all.Points} (all points / moving points)"), Percent(all.Share) + " / " + moving
                + string.Create(c, $" of {all.Sampled:N0}"));
        }

        Row(sb, "commuters with home and work cells under one pseudonym", Percent(HomeWork.LinkedShare) + string.Create(c, $" ({HomeWork.Linked:N0} of {HomeWork.Commuters:N0})"));
        Row(sb, "commuters singled out by their (home, work) pair", string.Create(c, $"{HomeWork.SingledOut:N0} ({Percent(HomeWork.SingledOutShare)})"));
        Row(sb, "median anonymity set of linked commuters' pairs", double.IsNaN(HomeWork.MedianAnonymitySet) ? "n/a" : HomeWork.MedianAnonymitySet.ToString("0.#", c));
        Row(sb, string.Create(c, $"released records in a (cell, bucket) with k < {CellK.K}"), Percent(CellK.RecordsBelowKShare)
            + string.Create(c, $" ({CellK.CellBucketsBelowK:N0} of {CellK.CellBuckets:N0} cell-buckets)"));
        Row(sb, "fewest vehicles behind a released (cell, bucket)", CellK.MinK.ToString(c));
        Row(sb, "chaining: consecutive segments re-linked (recall)", Percent(Chaining.Recall) + string.Create(c, $" ({Chaining.CorrectLinks:N0} of {Chaining.TruePairs:N0})"));
        Row(sb, "chaining: precision", Percent(Chaining.Precision) + string.Create(c, $" ({Chaining.Links:N0} links)"));
        Row(sb, "eligible (moving) points released", Percent(Utility.ReleasedShare));
        CountAccuracy counts = Utility.Counts;
        Row(sb, "per-cell count error, mean / max", Percent(counts.MeanRelativeError) + " / " + Percent(counts.MaxRelativeError)
            + string.Create(c, $" ({counts.WithinTenPercent:N0} of {counts.CellsCompared:N0} cell-buckets within 10 %; {Utility.PublishedCells:N0} published)"));
        if (Utility.PublishedCells > 0)
        {
            CountAccuracy distinct = Utility.PseudonymCounts;
            Row(sb, "  counting distinct pseudonyms instead, mean / max", Percent(distinct.MeanRelativeError) + " / " + Percent(distinct.MaxRelativeError)
                + string.Create(c, $" ({distinct.WithinTenPercent:N0} within 10 %)"));
        }
        return sb.ToString();
    }

    private static void Row(StringBuilder sb, string measure, string value) => sb.Append(measure.PadRight(60)).Append("  ").Append(value).Append('\n');

    private static string Percent(double share) => double.IsNaN(share) ? "n/a" : (share * 100).ToString("0.0", CultureInfo.InvariantCulture) + " %";
}

/// <summary>Runs every attack of the suite on a release and gathers the figures.</summary>
public static class PrivacyAudit
{
    /// <summary>Measures <paramref name="data"/>.</summary>
    /// <param name="data">The release.</param>
    /// <param name="options">The settings (defaults when null).</param>
    /// <param name="measured">Told the name of each measure and how long it took, as it finishes (a 100,000-vehicle day takes minutes).</param>
    public static PrivacyReport Measure(ReleasedDataset data, PrivacyAuditOptions? options = null, Action<string, TimeSpan>? measured = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        options ??= new PrivacyAuditOptions();
        UnicityResult[] unicity = Timed("unicity", () => Unicity.MeasureUpTo(data, options.MaxPoints, options.UnicitySampleSize, options.Seed));
        UnicityResult[] moving = Timed("unicity of moving points", () => Unicity.MeasureUpTo(data, options.MaxPoints, options.UnicitySampleSize, options.Seed, movingOnly: true));
        HomeWorkResult homeWork = Timed("home/work linkage", () => HomeWorkLinkage.Measure(data));
        CellKResult cellK = Timed("k per cell", () => CellK.Measure(data, options.K));
        ChainingResult chaining = Timed("chaining", () => ChainingAttack.Measure(data, options.Chaining));
        UtilityResult utility = Timed("utility", () => Utility.Measure(data, options.MinVehiclesForCounts));
        return new PrivacyReport(options.Label, data.TraceCount, data.ReleasedRecords, unicity, moving, homeWork, cellK, chaining, utility);

        T Timed<T>(string name, Func<T> measure)
        {
            long started = System.Diagnostics.Stopwatch.GetTimestamp();
            T result = measure();
            measured?.Invoke(name, System.Diagnostics.Stopwatch.GetElapsedTime(started));
            return result;
        }
    }
}
