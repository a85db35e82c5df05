using System.Globalization;
using System.Text;

namespace Sieve.Commands.PrivacyConsole;

internal static partial class ConsolePages
{
    /// <summary>The anonymity page: the attack suite's figures from the latest <c>sieve privacy --json</c> run.</summary>
    public static string Anonymity(string csrf, (PrivacyFigures? Figures, string? Missing) privacy)
    {
        var html = new StringBuilder();
        Start(html, "Anonymity", "anonymity", csrf, refreshSeconds: 0);
        html.Append("<h1>Anonymity of the released data</h1><p class=\"lead\">Anonymity is measured, not claimed: the re-identification attacks of <code>sieve privacy</code> ")
            .Append("(unicity, home and work, k per released cell and bucket, chaining of segments) run against what an anonymized purpose released. See docs/privacy.md for what each figure means and its goal.</p>");
        if (privacy.Figures is not { Report: { } report } figures)
        {
            html.Append("<p class=\"notice\" id=\"anonymity-missing\">").Append(Encode(privacy.Missing ?? "no figures")).Append("</p>");
            return End(html);
        }

        html.Append("<dl class=\"facts\">")
            .Append("<dt>Purpose</dt><dd>").Append(Encode(figures.Purpose)).Append("</dd>")
            .Append(CultureInfo.InvariantCulture, $"<dt>Cells and buckets</dt><dd>geohash-{figures.GeohashPrecision}, {figures.BucketMinutes} minutes</dd>")
            .Append("<dt>Records measured</dt><dd>").Append(Count(figures.MeasuredRecords)).Append(figures.SkippedRecords > 0 ? " (" + Count(figures.SkippedRecords) + " skipped)" : "").Append("</dd>")
            .Append("<dt>Truth known</dt><dd>").Append(figures.GroundTruth ? "yes (a simulation: the attacks are scored against the real vehicles)" : "no (a release read from the lake or Kafka)").Append("</dd>")
            .Append("<dt>Written</dt><dd>").Append(figures.WrittenAt is { } at ? Time(new DateTimeOffset(at, TimeSpan.Zero)) : "-").Append("</dd></dl>")
            .Append("<pre class=\"figures\" id=\"anonymity-figures\">").Append(Encode(report.ToTable())).Append("</pre>");
        return End(html);
    }
}
