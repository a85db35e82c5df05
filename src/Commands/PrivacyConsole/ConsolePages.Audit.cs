using System.Globalization;
using System.Text;

namespace Sieve.Commands.PrivacyConsole;

internal static partial class ConsolePages
{
    /// <summary>Minutes a chart shows: the latest hour with audit records.</summary>
    private const int ChartMinutes = 60;

    // One colour per outcome, in AuditSnapshot.Outcomes order; the last is quarantined.
    private static readonly string[] OutcomeColours =
    [
        "#2e7d32", "#9e9e9e", "#f57c00", "#8e24aa", "#cfd8dc", "#37474f", "#26a69a", "#90a4ae", "#b0bec5", "#78909c",
        "#607d8b", "#546e7a", "#ffb300", "#c62828",
    ];

    /// <summary>The audit page: inputs per purpose and outcome over time, totals, and quarantine reasons.</summary>
    public static string Audit(string csrf, AuditSnapshot audit, string topic)
    {
        var html = new StringBuilder();
        Start(html, "Audit", "audit", csrf, refreshSeconds: 0);
        html.Append("<h1>Audit</h1><p class=\"lead\">From <code>").Append(Encode(topic))
            .Append("</code>: one record per input partition per committed batch, saying what became of every input for every purpose. ")
            .Append("For each purpose, its outcomes plus the quarantined inputs are the inputs. An anonymized purpose's records are held for its release stage, ")
            .Append("which audits what it released or withheld of them under \"PURPOSE (release stage)\".</p>");
        html.Append("<dl class=\"facts\"><dt>Audit records</dt><dd id=\"audit-records\">").Append(Count(audit.Records))
            .Append("</dd><dt>Inputs accounted for</dt><dd id=\"audit-inputs\">").Append(Count(audit.Inputs))
            .Append("</dd><dt>Held records the release stage decided on</dt><dd id=\"audit-release\">").Append(Count(audit.ReleaseDecided))
            .Append("</dd><dt>Records that do not add up</dt><dd id=\"audit-unbalanced\" class=\"").Append(audit.Unbalanced == 0 ? "flag-no" : "flag-yes").Append("\">").Append(Count(audit.Unbalanced))
            .Append("</dd><dt>Unreadable records</dt><dd class=\"").Append(audit.Undecodable == 0 ? "flag-no" : "flag-yes").Append("\">").Append(Count(audit.Undecodable)).Append("</dd></dl>");

        if (audit.Totals.Count == 0)
        {
            html.Append("<p class=\"muted\" id=\"audit-empty\">No audit records yet.</p>");
            return End(html);
        }

        bool[] used = UsedOutcomes(audit);
        Legend(html, used);
        html.Append("<h2>Per purpose and outcome, per minute (latest hour with records, UTC)</h2>");
        foreach (string purpose in audit.Totals.Keys)
        {
            Chart(html, audit, purpose, used);
        }

        html.Append("<h2>Totals</h2><table id=\"audit-totals\"><thead><tr><th>Purpose</th>");
        for (int o = 0; o < used.Length; o++)
        {
            if (used[o])
            {
                html.Append("<th class=\"num\">").Append(OutcomeLabel(AuditSnapshot.Outcomes[o])).Append("</th>");
            }
        }

        html.Append("<th class=\"num\">Inputs</th></tr></thead><tbody>");
        foreach (KeyValuePair<string, long[]> purpose in audit.Totals)
        {
            long sum = 0;
            html.Append("<tr data-purpose=\"").Append(Encode(purpose.Key)).Append("\"><td>").Append(Encode(purpose.Key)).Append("</td>");
            for (int o = 0; o < used.Length; o++)
            {
                sum += purpose.Value[o];
                if (used[o])
                {
                    html.Append("<td class=\"num\" data-outcome=\"").Append(AuditSnapshot.Outcomes[o]).Append("\">").Append(Count(purpose.Value[o])).Append("</td>");
                }
            }

            html.Append("<td class=\"num\" data-outcome=\"inputs\">").Append(Count(sum)).Append("</td></tr>");
        }

        html.Append("</tbody></table><h2>Quarantine reasons</h2>");
        if (audit.Quarantined.Count == 0)
        {
            html.Append("<p class=\"muted\">No input was quarantined.</p>");
        }
        else
        {
            html.Append("<table id=\"quarantine\"><thead><tr><th>Reason</th><th class=\"num\">Inputs</th></tr></thead><tbody>");
            foreach (KeyValuePair<string, long> reason in audit.Quarantined)
            {
                html.Append("<tr><td><code>").Append(Encode(reason.Key)).Append("</code></td><td class=\"num\">").Append(Count(reason.Value)).Append("</td></tr>");
            }

            html.Append("</tbody></table>");
        }

        return End(html);
    }

    private static bool[] UsedOutcomes(AuditSnapshot audit)
    {
        bool[] used = new bool[AuditSnapshot.Outcomes.Count];
        foreach (long[] counts in audit.Totals.Values)
        {
            for (int o = 0; o < used.Length; o++)
            {
                used[o] |= counts[o] > 0;
            }
        }

        return used;
    }

    private static void Legend(StringBuilder html, bool[] used)
    {
        html.Append("<div class=\"legend\">");
        for (int o = 0; o < used.Length; o++)
        {
            if (used[o])
            {
                html.Append("<span><svg width=\"12\" height=\"12\" aria-hidden=\"true\"><rect width=\"12\" height=\"12\" fill=\"").Append(Colour(o)).Append("\"/></svg>")
                    .Append(OutcomeLabel(AuditSnapshot.Outcomes[o])).Append("</span>");
            }
        }

        html.Append("</div>");
    }

    // A stacked bar per minute of the latest hour with records (minutes without records stay empty): the purpose's
    // outcomes, bottom to top in outcome order.
    private static void Chart(StringBuilder html, AuditSnapshot audit, string purpose, bool[] used)
    {
        const int Width = 960;
        const int Height = 150;
        const int Left = 120;
        const int Bottom = 20;
        const int Top = 8;
        DateTimeOffset last = audit.Buckets[^1].Start;
        DateTimeOffset first = last.AddMinutes(1 - ChartMinutes);
        long max = 1;
        foreach (AuditSnapshot.Bucket bucket in audit.Buckets)
        {
            if (bucket.Start >= first && bucket.Purposes.TryGetValue(purpose, out long[]? counts))
            {
                long sum = 0;
                foreach (long c in counts)
                {
                    sum += c;
                }

                max = Math.Max(max, sum);
            }
        }

        CultureInfo c0 = CultureInfo.InvariantCulture;
        double slot = (Width - Left - 8) / (double)ChartMinutes;
        double bar = Math.Max(1, slot * 0.8);
        double plot = Height - Bottom - Top;
        html.Append("<div class=\"chart\" data-purpose=\"").Append(Encode(purpose)).Append("\"><svg role=\"img\" viewBox=\"0 0 ").Append(Width).Append(' ').Append(Height)
            .Append("\" width=\"").Append(Width).Append("\" height=\"").Append(Height).Append("\"><title>").Append(Encode(purpose)).Append(": inputs per minute by outcome</title>")
            .Append(c0, $"<text x=\"4\" y=\"{Top + 10}\">{Encode(purpose)}</text><text x=\"4\" y=\"{Top + 24}\">max {Count(max)}/min</text>")
            .Append(c0, $"<line x1=\"{Left}\" y1=\"{Height - Bottom}\" x2=\"{Width - 8}\" y2=\"{Height - Bottom}\" stroke=\"#d8dce4\"/>");
        for (int m = 0; m < ChartMinutes; m += 10)
        {
            html.Append(c0, $"<text x=\"{Left + (m * slot):0.#}\" y=\"{Height - 5}\">{first.AddMinutes(m).UtcDateTime:HH:mm}</text>");
        }

        foreach (AuditSnapshot.Bucket bucket in audit.Buckets)
        {
            if (bucket.Start < first || !bucket.Purposes.TryGetValue(purpose, out long[]? counts))
            {
                continue;
            }

            double x = Left + ((bucket.Start - first).TotalMinutes * slot);
            double y = Height - Bottom;
            for (int o = 0; o < counts.Length; o++)
            {
                if (counts[o] == 0 || !used[o])
                {
                    continue;
                }

                double h = counts[o] * plot / max;
                y -= h;
                html.Append(c0, $"<rect x=\"{x:0.#}\" y=\"{y:0.#}\" width=\"{bar:0.#}\" height=\"{Math.Max(h, 0.5):0.#}\" fill=\"{Colour(o)}\"><title>")
                    .Append(c0, $"{bucket.Start.UtcDateTime:HH:mm} {OutcomeLabel(AuditSnapshot.Outcomes[o])}: {Count(counts[o])}</title></rect>");
            }
        }

        html.Append("</svg></div>");
    }

    private static string Colour(int outcome) => OutcomeColours[outcome == AuditSnapshot.Outcomes.Count - 1 ? OutcomeColours.Length - 1 : outcome % (OutcomeColours.Length - 1)];

    // "withheldNoConsent" reads as "withheld: no consent".
    private static string OutcomeLabel(string outcome)
    {
        string words = outcome.StartsWith("withheld", StringComparison.Ordinal) ? "withheld: " + Words(outcome["withheld".Length..]) : Words(outcome);
        return Encode(words);
    }

    private static string Words(string camel)
    {
        var sb = new StringBuilder(camel.Length + 4);
        foreach (char ch in camel)
        {
            if (char.IsUpper(ch) && sb.Length > 0)
            {
                sb.Append(' ');
            }

            sb.Append(char.ToLowerInvariant(ch));
        }

        return sb.ToString();
    }
}
