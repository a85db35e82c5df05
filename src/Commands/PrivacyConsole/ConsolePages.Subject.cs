using System.Globalization;
using System.Text;
using Sieve.Commands.Consent;
using Sieve.Commands.Erasure;
using Sieve.Commands.Policy;
using Sieve.Contracts.Identifiers;
using Sieve.Contracts.Purposes;
using Sieve.Core.Access;
using Sieve.Core.Consent;
using Sieve.Core.Erasure;
using Sieve.Core.Policy;

namespace Sieve.Commands.PrivacyConsole;

internal static partial class ConsolePages
{
    /// <summary>How often the subject page reloads while one of its erasure requests is pending.</summary>
    private const int PendingRefreshSeconds = 5;

    /// <summary>Pseudonyms listed per purpose before "and N more".</summary>
    private const int ShownPseudonyms = 3;

    /// <summary>The subject page: flags, consent per purpose, lake rows per purpose, erasure requests and receipts, and the actions.</summary>
    public static string Subject(string csrf, SubjectLookups.Lookup lookup, SubjectView view, CompiledPolicy policy, DateTimeOffset now, string? notice)
    {
        bool pending = false;
        foreach (ErasureStatusEntry entry in view.Erasures)
        {
            pending |= entry.State == ErasureState.Pending;
        }

        var html = new StringBuilder();
        Start(html, "Subject", "subjects", csrf, refreshSeconds: pending ? PendingRefreshSeconds : 0);
        ConsentRecord record = view.Access.Consent;
        html.Append("<h1>Subject</h1>");
        if (notice is not null)
        {
            html.Append("<p class=\"notice\" role=\"status\" id=\"notice\">").Append(Encode(notice)).Append("</p>");
        }

        html.Append("<dl class=\"facts\">")
            .Append("<dt>Identifier type</dt><dd id=\"subject-type\">").Append(SubjectTypeNames.NameOf(lookup.Type)).Append("</dd>")
            .Append("<dt>Consent key</dt><dd class=\"mono\" id=\"consent-key\">").Append(Encode(lookup.ConsentKey)).Append("</dd>")
            .Append("<dt>Consent record</dt><dd>").Append(record.IsEmpty ? "none (never consented: nothing that needs consent is forwarded)" : "in the consent store").Append("</dd>")
            .Append("<dt>Erased</dt><dd id=\"erased\" class=\"").Append(record.Erased ? "flag-yes\">yes: nothing of this subject's is forwarded to any purpose" : "flag-no\">no").Append("</dd>")
            .Append("<dt>Minor</dt><dd id=\"minor\" class=\"").Append(record.Minor ? "flag-yes\">yes: nothing of this subject's is collected for any purpose" : "flag-no\">no").Append("</dd>")
            .Append("<dt>Lookup</dt><dd class=\"muted\">forgotten at ").Append(Time(lookup.Expires)).Append("</dd></dl>");

        html.Append("<h2>Consent per purpose</h2><table id=\"consent\"><thead><tr><th>Purpose</th><th>State</th><th>Effective</th><th>Expires</th><th>Policy version</th><th>In force now</th><th></th></tr></thead><tbody>");
        long nowMillis = now.ToUnixTimeMilliseconds();
        for (int i = 0; i < KnownPurposes.Count; i++)
        {
            string purpose = KnownPurposes.All[i];
            PurposeConsent consent = record.GetPurpose(i);
            html.Append("<tr data-purpose=\"").Append(purpose).Append("\"><td>").Append(purpose).Append("</td><td>").Append(ConsentShowCommand.StateName(consent.State))
                .Append("</td><td>").Append(consent.State == ConsentState.None ? "-" : ExplainValues.Time(consent.EffectiveTimeMillis))
                .Append("</td><td>").Append(Encode(ConsentShowCommand.Expiry(consent, ConsentShowCommand.MaxAgeOf(policy, i), nowMillis)))
                .Append("</td><td>").Append(Encode(consent.PolicyVersion ?? "-"))
                .Append("</td><td>").Append(Encode(ConsentShowCommand.InForce(record, policy, i, nowMillis))).Append("</td><td>");
            if (consent.State == ConsentState.Granted && !record.Erased && IsConsentPurpose(policy, purpose))
            {
                html.Append("<a class=\"small\" href=\"/subjects/").Append(lookup.Handle).Append("/withdraw/").Append(purpose).Append("\">Withdraw…</a>");
            }

            html.Append("</td></tr>");
        }

        html.Append("</tbody></table>");

        html.Append("<h2>In the lake</h2><table id=\"lake\"><thead><tr><th>Purpose</th><th class=\"num\">Rows</th><th>First event</th><th>Last event</th><th>Pseudonyms</th></tr></thead><tbody>");
        foreach (PurposeAccess purpose in view.Access.Purposes)
        {
            html.Append("<tr data-purpose=\"").Append(Encode(purpose.Purpose)).Append("\"><td>").Append(Encode(purpose.Purpose)).Append("</td><td class=\"num\">").Append(Count(purpose.Rows))
                .Append("</td><td>").Append(Time(purpose.FirstEventTime)).Append("</td><td>").Append(Time(purpose.LastEventTime)).Append("</td><td>");
            if (purpose.Anonymized)
            {
                html.Append("<span class=\"muted\">anonymized: rows carry random segment pseudonyms; none is attributable to the subject</span>");
            }
            else
            {
                for (int i = 0; i < purpose.Pseudonyms.Count && i < ShownPseudonyms; i++)
                {
                    html.Append("<code>").Append(Encode(purpose.Pseudonyms[i])).Append("</code><br>");
                }

                if (purpose.Pseudonyms.Count > ShownPseudonyms)
                {
                    html.Append(CultureInfo.InvariantCulture, $"<span class=\"muted\">and {purpose.Pseudonyms.Count - ShownPseudonyms} more</span>");
                }
            }

            html.Append("</td></tr>");
        }

        html.Append("</tbody></table>");

        html.Append("<h2>Erasure requests</h2>");
        if (view.Erasures.Count == 0)
        {
            html.Append("<p class=\"muted\" id=\"no-erasures\">No erasure request for this subject on the requests topic (within its retention).</p>");
        }
        else
        {
            ErasureTable(html, view.Erasures, withType: false);
        }

        html.Append("<h2>Actions</h2><p><a class=\"button danger\" id=\"request-erasure\" href=\"/subjects/").Append(lookup.Handle).Append("/erase\">Request erasure…</a></p>");
        return End(html);
    }

    /// <summary>The confirmation before an erasure request.</summary>
    public static string ConfirmErasure(string csrf, SubjectLookups.Lookup lookup)
    {
        var html = new StringBuilder();
        Start(html, "Confirm erasure", "subjects", csrf, refreshSeconds: 0);
        html.Append("<h1>Request erasure?</h1><p class=\"lead\">This publishes an erasure request for the ").Append(SubjectTypeNames.NameOf(lookup.Type))
            .Append(" subject with consent key <code>").Append(Encode(lookup.ConsentKey)).Append("</code>. The pipeline then marks the subject erased (nothing of theirs is forwarded again), ")
            .Append("removes their rows from the lake, writes tombstones for their consent changes, and writes a receipt. It cannot be undone.</p>")
            .Append("<form method=\"post\" action=\"/subjects/").Append(lookup.Handle).Append("/erase\">");
        Csrf(html, csrf);
        html.Append("<input type=\"hidden\" name=\"confirm\" value=\"yes\"><button class=\"primary danger\" id=\"confirm-erasure\" type=\"submit\">Yes, request erasure</button> ")
            .Append("<a href=\"/subjects/").Append(lookup.Handle).Append("\">Cancel</a></form>");
        return End(html);
    }

    /// <summary>The confirmation before a consent withdrawal.</summary>
    public static string ConfirmWithdrawal(string csrf, SubjectLookups.Lookup lookup, string purpose)
    {
        var html = new StringBuilder();
        Start(html, "Confirm withdrawal", "subjects", csrf, refreshSeconds: 0);
        html.Append("<h1>Withdraw consent to ").Append(Encode(purpose)).Append("?</h1><p class=\"lead\">This publishes a withdrawal, effective now, for the ")
            .Append(SubjectTypeNames.NameOf(lookup.Type)).Append(" subject with consent key <code>").Append(Encode(lookup.ConsentKey))
            .Append("</code>. From then on the subject's events are withheld from ").Append(Encode(purpose)).Append(".</p>")
            .Append("<form method=\"post\" action=\"/subjects/").Append(lookup.Handle).Append("/withdraw/").Append(Encode(purpose)).Append("\">");
        Csrf(html, csrf);
        html.Append("<input type=\"hidden\" name=\"confirm\" value=\"yes\"><button class=\"primary\" id=\"confirm-withdrawal\" type=\"submit\">Yes, withdraw</button> ")
            .Append("<a href=\"/subjects/").Append(lookup.Handle).Append("\">Cancel</a></form>");
        return End(html);
    }

    private static void ErasureTable(StringBuilder html, IReadOnlyList<ErasureStatusEntry> entries, bool withType)
    {
        html.Append("<table id=\"erasures\"><thead><tr><th>Request</th>").Append(withType ? "<th>Subject type</th>" : "")
            .Append("<th>Reason</th><th>State</th><th>Requested</th><th>Marked erased</th><th>Completed</th><th class=\"num\">Time to completion</th><th>Rows removed</th></tr></thead><tbody>");
        foreach (ErasureStatusEntry entry in entries)
        {
            string state = ErasureStatusCommand.StateName(entry.State);
            html.Append("<tr data-request=\"").Append(Encode(entry.RequestId)).Append("\" data-state=\"").Append(state).Append("\"><td class=\"mono nowrap\">").Append(Encode(entry.RequestId)).Append("</td>");
            if (withType)
            {
                html.Append("<td>").Append(entry.SubjectType is { } type ? SubjectTypeNames.NameOf(type) : "unknown").Append("</td>");
            }

            html.Append("<td>").Append(ErasureStatusCommand.ReasonName(entry.Reason)).Append("</td><td class=\"state-").Append(state).Append("\">").Append(state);
            if (entry.State == ErasureState.Rejected && entry.Detail.Length > 0)
            {
                html.Append(" (").Append(Encode(entry.Detail)).Append(')');
            }

            html.Append("</td><td class=\"time\">").Append(Time(entry.RequestedAt)).Append("</td><td class=\"time\">").Append(Time(entry.MarkedAt)).Append("</td><td class=\"time\">").Append(Time(entry.CompletedAt))
                .Append("</td><td class=\"num\">").Append(Duration(entry.TimeToCompletion)).Append("</td><td class=\"nowrap\">");
            if (entry.Purposes.Count == 0)
            {
                html.Append('-');
            }

            foreach (PurposeErasure purpose in entry.Purposes)
            {
                html.Append(Encode(purpose.Purpose)).Append(' ').Append(Count(purpose.RowsRemoved)).Append("<br>");
            }

            html.Append("</td></tr>");
        }

        html.Append("</tbody></table>");
    }
}
