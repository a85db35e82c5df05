using System.Globalization;
using System.Text;
using Sieve.Core.Erasure;

namespace Sieve.Commands.PrivacyConsole;

internal static partial class ConsolePages
{
    /// <summary>The erasure page: every request, its receipt and the time to completion.</summary>
    public static string Erasures(string csrf, IReadOnlyList<ErasureStatusEntry> entries, int undecodable, string receiptsTopic, string requestsTopic)
    {
        var html = new StringBuilder();
        Start(html, "Erasure", "erasure", csrf, refreshSeconds: 0);
        html.Append("<h1>Erasure requests</h1><p class=\"lead\">Receipts from <code>").Append(Encode(receiptsTopic)).Append("</code>, joined with the requests on <code>")
            .Append(Encode(requestsTopic)).Append("</code> (whose identifiers are dropped as they are read): the subject's type, never the subject.</p>");
        int completed = 0;
        int rejected = 0;
        int pending = 0;
        var times = new List<TimeSpan>();
        foreach (ErasureStatusEntry entry in entries)
        {
            switch (entry.State)
            {
                case ErasureState.Completed:
                    completed++;
                    if (entry.TimeToCompletion is { } t)
                    {
                        times.Add(t);
                    }

                    break;
                case ErasureState.Rejected:
                    rejected++;
                    break;
                default:
                    pending++;
                    break;
            }
        }

        times.Sort();
        html.Append("<dl class=\"facts\">")
            .Append(CultureInfo.InvariantCulture, $"<dt>Requests</dt><dd id=\"erasure-counts\">{entries.Count} ({completed} completed, {rejected} rejected, {pending} pending)</dd>")
            .Append("<dt>Time to completion</dt><dd>").Append(times.Count == 0 ? "-" : "median " + Duration(times[times.Count / 2]) + ", longest " + Duration(times[^1])).Append("</dd>");
        if (undecodable > 0)
        {
            html.Append(CultureInfo.InvariantCulture, $"<dt>Unreadable receipts</dt><dd class=\"flag-yes\">{undecodable}</dd>");
        }

        html.Append("</dl>");
        if (entries.Count == 0)
        {
            html.Append("<p class=\"muted\">No erasure requests.</p>");
        }
        else
        {
            ErasureTable(html, entries, withType: true);
        }

        return End(html);
    }
}
