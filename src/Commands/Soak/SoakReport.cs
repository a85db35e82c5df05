using System.Globalization;
using System.Text;

namespace Sieve.Commands.Soak;

/// <summary>The one-screen report of a soak, as plain text.</summary>
internal static class SoakReport
{
    public static string Format(SoakResult r)
    {
        ArgumentNullException.ThrowIfNull(r);
        SoakFindings f = r.Findings;
        var text = new StringBuilder();
        void Line(FormattableString line) => text.AppendLine(line.ToString(CultureInfo.InvariantCulture));

        var byService = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (SoakKill kill in r.Kills)
        {
            byService[kill.Service] = byService.GetValueOrDefault(kill.Service) + 1;
        }

        var exits = new StringBuilder();
        foreach ((string name, int _, int[] codes) in r.Services)
        {
            if (codes.Length > 0)
            {
                exits.Append(CultureInfo.InvariantCulture, $" {name} {codes.Length} (exit codes {string.Join(",", codes)})");
            }
        }

        Line($"sieve soak  {r.LoadTime.TotalMinutes:F1} min of load, drain {r.DrainTime.TotalSeconds:F0} s{(r.Drained ? "" : " (DRAIN LIMIT REACHED)")}, seed {r.Options.Seed}");
        Line($"kills       {r.Kills.Count} SIGKILLs every {r.Options.KillMin.TotalSeconds:F0}-{r.Options.KillMax.TotalSeconds:F0} s: {string.Join(", ", byService.Select(static p => p.Key + " " + p.Value))}");
        Line($"            exits nobody asked for:{(exits.Length == 0 ? " none" : exits.ToString())}");
        Line($"load        {r.Vehicles} vehicles over Teltonika TCP, {r.Visitors} visitors through Meraki and portal gateways");
        Line($"            units: {f.TelematicsAcked:N0} records acked ({f.TelematicsAckedTwice:N0} acked again after a resend), {r.Load.ConnectionFailures:N0} connections lost or refused");
        Line($"            gateways: {f.WifiAccepted:N0} Wi-Fi records accepted, {r.Load.HttpRefused:N0} requests refused or unanswered (Ingest down)");
        Line($"raw         {Sieve.Contracts.Topics.TelematicsRaw}: {f.RawTelematics:N0} ({f.RawTelematicsResent:N0} copies resent after a lost ack); {Sieve.Contracts.Topics.WifiRaw}: {f.RawWifi:N0}");
        Line($"            acked but not in the raw topic: {f.TelematicsAckedMissing:N0} telematics, {f.WifiAcceptedMissing:N0} Wi-Fi{(f.RawUnreadable > 0 ? $"; {f.RawUnreadable:N0} raw records unreadable" : "")}");
        Line($"audit       {f.RawInputs:N0} raw inputs: {f.RawInputs - f.RawUnaudited:N0} audited, {f.RawUnaudited:N0} not; {f.RawAuditedTwice:N0} audited twice (processed again after a Minimizer kill)");
        Line($"            {f.AuditRecords:N0} audit records: {f.AuditUnbalanced:N0} that do not add up, {f.AuditRangeMismatches:N0} whose inputs are not their offset range; {f.Quarantined:N0} quarantined");
        Line($"            forwarded: {string.Join(", ", f.Forwarded.OrderBy(static p => p.Key, StringComparer.Ordinal).Select(static p => p.Key + " " + p.Value.ToString("N0", CultureInfo.InvariantCulture)))}");
        Line($"release     {f.PendingRecords:N0} held for release, {f.PendingRecords - f.ReleaseUndecided:N0} decided, {f.ReleaseUndecided:N0} undecided");
        Line($"lake        {"topic",-22} {"records",9} {"once",9} {"missing",8} {"twice",6}");
        foreach (KeyValuePair<string, OutputCounts> output in f.Outputs)
        {
            OutputCounts c = output.Value;
            Line($"            {output.Key,-22} {c.Records,9:N0} {c.LandedOnce,9:N0} {c.NotLanded,8:N0} {c.LandedTwice,6:N0}");
        }

        Line($"            lake rows pointing at no record read: {f.LakeRowsUnknown:N0}; records the tail could not read: {f.TailErrors:N0}");
        Line($"identifiers {r.IdentifiersLookedFor:N0} raw identifiers (every form, and their unkeyed MD5/SHA-1/SHA-256) looked for in {r.Leaks.Scanned:N0} items: {r.Leaks.Hits:N0} found");
        foreach ((string place, long scanned, long hits, string? first) in r.Leaks.ByPlace())
        {
            if (hits > 0)
            {
                Line($"            {place}: {hits:N0} of {scanned:N0}, first: {first}");
            }
        }

        Line($"            {string.Join(", ", r.Leaks.ByPlace().Select(static p => p.Place + " " + p.Scanned.ToString("N0", CultureInfo.InvariantCulture)))}");
        Line($"verdict     {(r.Passed ? "PASS: nothing acknowledged, consumed or forwarded was lost, no topic record landed twice, no identifier left the raw zone" : "FAIL" + Why(r))}");
        return text.ToString();
    }

    private static string Why(SoakResult r)
    {
        var why = new List<string>();
        if (!r.Drained)
        {
            why.Add("the drain did not finish");
        }

        if (r.Kills.Count == 0)
        {
            why.Add("no service was killed");
        }

        if (!r.Findings.Exercised)
        {
            why.Add("no data moved through every stage");
        }

        if (!r.Findings.NothingLost)
        {
            why.Add("something was lost or landed twice");
        }

        if (r.Leaks.Hits > 0)
        {
            why.Add("an identifier left the raw zone");
        }

        return ": " + string.Join("; ", why);
    }
}
