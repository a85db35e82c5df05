using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using Sieve.Commands.Policy;
using Sieve.Core.Policy;

namespace Sieve.Commands.PrivacyConsole;

/// <summary>
/// The console's HTML, rendered on the server: one layout, one file per page. Every value is HTML-encoded; nothing
/// here ever receives an identifier (a lookup arrives as its handle, type and pseudonyms).
/// </summary>
internal static partial class ConsolePages
{
    private static readonly HtmlEncoder Encoder = HtmlEncoder.Default;

    /// <summary>The stylesheet served at <c>/console.css</c>.</summary>
    public static string Stylesheet { get; } = ReadStylesheet();

    /// <summary>The sign-in page.</summary>
    public static string Login(string? problem)
    {
        var html = new StringBuilder();
        Start(html, "Sign in", section: null, csrf: null, refreshSeconds: 0);
        html.Append("<div class=\"login\"><h1>Sieve privacy console</h1>");
        if (problem is not null)
        {
            html.Append("<p class=\"problem\" role=\"alert\">").Append(Encode(problem)).Append("</p>");
        }

        html.Append("<form method=\"post\" action=\"/login\"><label>Console token<input type=\"password\" name=\"token\" autocomplete=\"current-password\" required autofocus></label>")
            .Append("<button class=\"primary\" type=\"submit\">Sign in</button></form>")
            .Append("<p class=\"muted\">The token is the one <code>sieve console</code> printed at start, or its <code>--token-file</code> or <code>SIEVE_CONSOLE_TOKEN</code>.</p></div>");
        return End(html);
    }

    /// <summary>The subject lookup form.</summary>
    public static string Lookup(string csrf, string? problem)
    {
        var html = new StringBuilder();
        Start(html, "Subject lookup", "subjects", csrf, refreshSeconds: 0);
        html.Append("<h1>Subject lookup</h1><p class=\"lead\">Type the subject's identifier. The console turns it into the subject's pseudonyms and keeps it in this process's memory only, ")
            .Append(CultureInfo.InvariantCulture, $"for {ConsoleOptions.DefaultLookupMinutes} minutes, under a random handle: it is never in a URL, a log or a page.</p>");
        if (problem is not null)
        {
            html.Append("<p class=\"problem\" role=\"alert\" id=\"problem\">").Append(Encode(problem)).Append("</p>");
        }

        html.Append("<form class=\"lookup\" method=\"post\" action=\"/subjects\" autocomplete=\"off\">");
        Csrf(html, csrf);
        html.Append("<label>Type<select name=\"type\">")
            .Append("<option value=\"vin\">VIN</option><option value=\"phone\">Phone number</option><option value=\"mac\">MAC address</option><option value=\"device-id\">Device id (IMEI)</option>")
            .Append("</select></label><label>Identifier<input type=\"text\" name=\"id\" id=\"identifier\" autocomplete=\"off\" spellcheck=\"false\" required></label>")
            .Append("<button class=\"primary\" type=\"submit\">Look up</button></form>");
        return End(html);
    }

    /// <summary>A page that says what went wrong and what to do.</summary>
    public static string Problem(string csrf, string title, string problem)
    {
        var html = new StringBuilder();
        Start(html, title, "subjects", csrf, refreshSeconds: 0);
        html.Append("<h1>").Append(Encode(title)).Append("</h1><p class=\"problem\" role=\"alert\">").Append(Encode(problem)).Append("</p><p><a href=\"/subjects\">Look a subject up</a></p>");
        return End(html);
    }

    /// <summary>True when <paramref name="purpose"/> is a purpose of <paramref name="policy"/> that needs consent.</summary>
    public static bool IsConsentPurpose(CompiledPolicy policy, string purpose)
    {
        foreach (PurposePlan plan in policy.Purposes)
        {
            if (plan.Name == purpose)
            {
                return plan.ConsentRequired;
            }
        }

        return false;
    }

    private static void Start(StringBuilder html, string title, string? section, string? csrf, int refreshSeconds)
    {
        html.Append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
            .Append("<meta name=\"referrer\" content=\"no-referrer\">");
        if (refreshSeconds > 0)
        {
            html.Append(CultureInfo.InvariantCulture, $"<meta http-equiv=\"refresh\" content=\"{refreshSeconds}\">");
        }

        html.Append("<title>").Append(Encode(title)).Append(" · Sieve privacy console</title><link rel=\"stylesheet\" href=\"/console.css\"></head><body>");
        if (section is not null)
        {
            html.Append("<header><span class=\"brand\">Sieve privacy console</span><nav>");
            NavLink(html, "/subjects", "Subject lookup", section == "subjects");
            NavLink(html, "/audit", "Audit", section == "audit");
            NavLink(html, "/erasure", "Erasure", section == "erasure");
            NavLink(html, "/anonymity", "Anonymity", section == "anonymity");
            html.Append("</nav><form method=\"post\" action=\"/logout\">");
            Csrf(html, csrf ?? "");
            html.Append("<button type=\"submit\">Sign out</button></form></header>");
        }

        html.Append("<main>");
    }

    private static void NavLink(StringBuilder html, string href, string text, bool here) =>
        html.Append("<a href=\"").Append(href).Append('"').Append(here ? " class=\"here\" aria-current=\"page\"" : "").Append('>').Append(text).Append("</a>");

    private static string End(StringBuilder html) => html.Append("</main></body></html>").ToString();

    private static void Csrf(StringBuilder html, string csrf) =>
        html.Append("<input type=\"hidden\" name=\"csrf\" value=\"").Append(Encode(csrf)).Append("\">");

    private static string Encode(string text) => Encoder.Encode(text);

    private static string Time(DateTimeOffset? time) => time is { } t ? ExplainValues.Time(t) : "-";

    private static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string Duration(TimeSpan? elapsed) => elapsed is { } e ? Erasure.ErasureStatusCommand.Duration(e) : "-";

    private static string ReadStylesheet()
    {
        using Stream stream = typeof(ConsolePages).Assembly.GetManifestResourceStream("console/console.css")
            ?? throw new InvalidOperationException("The console's stylesheet is not embedded in Sieve.Commands.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}
