using System.Net;
using System.Text.RegularExpressions;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;
using Sieve.Commands.PrivacyConsole;
using Sieve.Contracts.Identifiers;
using Sieve.Contracts.Pseudonymization;
using Sieve.Contracts.Purposes;
using Sieve.Contracts.Records;
using Sieve.Core.Consent;
using Sieve.Core.Output;
using Sieve.Core.Pipeline;
using Sieve.Core.Policy;
using Sieve.Core.Privacy;
using Sieve.Embedded;
using Sieve.Testing;
using Sieve.Testing.Cli;
using Sieve.Testing.Erasure;
using Sieve.Testing.Harness;
using Sieve.Testing.Identifiers;
using Sieve.Testing.Logging;
using Sieve.Testing.Privacy;
using Sieve.Testing.Sink;

namespace Sieve.IntegrationTests.Console;

/// <summary>
/// The privacy console in a real browser (Debian's Chromium through Playwright) against a real Kafka, Redis, lake
/// and erasure worker: sign in, look a subject up, withdraw a consent, request an erasure and see its receipt, read
/// the audit, erasure and anonymity pages; the identifier is never in a URL, the DOM after submission or the log.
/// </summary>
[Collection(KafkaCollection.Name)]
public sealed partial class PrivacyConsoleBrowserTests(KafkaFixture kafka)
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);
    private static readonly CompiledPolicy Policy = PolicyLoader.LoadDefault();

    [Fact]
    public async Task An_officer_looks_a_subject_up_withdraws_consent_requests_erasure_and_sees_its_receipt_and_the_identifier_is_never_in_a_url_the_page_or_the_log()
    {
        // A vehicle with rows in the lake and positioning consent in Redis, another one beside it.
        using var records = new MinimizedRecords(seed: 41);
        string vin = await records.ConsentingVehicleAsync();
        string other = await records.ConsentingVehicleAsync();
        // Records of today, so that the console, the erasure worker and consent expiry all run on the real clock.
        long today = DateTimeOffset.UtcNow.AddHours(-2).ToUnixTimeMilliseconds();
        foreach (string subject in new[] { vin, other })
        {
            await records.Harness.GrantAsync(SubjectType.Vin, subject, KnownPurposes.Positioning, today - 86_400_000);
            await records.Harness.GrantAsync(SubjectType.Vin, subject, KnownPurposes.Personalization, today - 86_400_000);
        }

        await records.DriveAsync(vin, 6, today);
        await records.DriveAsync(other, 4, today);
        await using ErasureTestBed bed = await ErasureTestBed.CreateAsync(kafka, "console", systemClock: true);
        await bed.Sink.ProduceAsync(records.Records);
        await using RunningSink sink = bed.Sink.Start();
        await sink.WaitUntilLandedAsync(Limit);
        string consentKey = records.Harness.ConsentKey(SubjectType.Vin, vin);
        await bed.Store.ApplyAsync(new ConsentUpdate(consentKey, KnownPurposes.IndexOf(KnownPurposes.Positioning), true, DateTimeOffset.UtcNow.AddDays(-1).ToUnixTimeMilliseconds(), "2026-11-01", false));
        bed.StartWorker();

        // Audit records over three minutes, and the figures of a privacy run.
        string auditTopic = kafka.UniqueTopic("audit");
        await kafka.CreateTopicAsync(auditTopic, 2);
        (long forwardedPositioning, long released) = await ProduceAuditAsync(auditTopic);
        string screenshots = Environment.GetEnvironmentVariable("SIEVE_CONSOLE_SCREENSHOTS") is { Length: > 0 } target ? target : Directory.CreateTempSubdirectory("sieve-console-").FullName;
        Directory.CreateDirectory(screenshots);
        string privacyReport = Path.Combine(Directory.CreateTempSubdirectory("sieve-console-privacy-").FullName, "privacy.json");
        CliResult privacy = await CliRunner.RunAsync("privacy", "--simulate", "dense", "--vehicles", "300", "--seed", "3", "--json", privacyReport);
        Assert.True(privacy.ExitCode == 0, privacy.Error);

        var log = new LogRecorder();
        string token = ConsoleSessions.NewToken();
        await using ConsoleServer server = await ConsoleServer.StartAsync(new ConsoleOptions
        {
            Listen = new IPEndPoint(IPAddress.Loopback, 0),
            Token = token,
            Bootstrap = kafka.BootstrapServers,
            Redis = bed.Redis.Configuration,
            Keys = MasterKeyRing.CreateDemo(),
            Policy = Policy,
            Lake = bed.Sink.Root,
            PrivacyReport = privacyReport,
            AuditTopic = auditTopic,
            RequestsTopic = bed.Options.RequestsTopic,
            ReceiptsTopic = bed.Options.ReceiptsTopic,
            ConsentTopic = bed.Options.ConsentChangesTopic,
        }, logging => logging.AddProvider(log).SetMinimumLevel(LogLevel.Trace), CancellationToken.None);
        Assert.True(IPAddress.IsLoopback(IPAddress.Parse(server.Url.Host)));

        (IPlaywright playwright, IBrowser browser) = await SystemChromium.LaunchAsync();
        using IPlaywright _ = playwright;
        await using IBrowser __ = browser;
        IPage page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });

        // A page may read Kafka and the lake: on a busy machine that takes longer than Playwright's 30 s default.
        page.SetDefaultTimeout((float)Limit.TotalMilliseconds);
        var urls = new List<string>();
        page.Request += (_, request) => urls.Add(request.Url);
        var pages = new List<(string What, string Html)>();
        async Task KeepAsync(string what)
        {
            pages.Add((what, await page.EvaluateAsync<string>("() => document.documentElement.outerHTML + [...document.querySelectorAll('input')].map(i => i.value).join(' ')")));
            // The lookup form holds the identifier as typed: the screenshot masks it.
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(screenshots, what + ".png"), FullPage = true, Mask = [page.Locator("#identifier")] });
        }

        // Every page needs the token.
        await page.GotoAsync(server.Url + "audit");
        Assert.EndsWith("/login", page.Url, StringComparison.Ordinal);
        await page.FillAsync("input[name=token]", "not-the-token-at-all");
        await page.ClickAsync("button[type=submit]");
        Assert.Contains("not the console's token", await page.TextContentAsync("p.problem") ?? "", StringComparison.Ordinal);
        await KeepAsync("sign-in");
        await page.FillAsync("input[name=token]", token);
        await page.ClickAsync("button[type=submit]");
        await page.WaitForURLAsync("**/subjects");

        // Look the subject up, in another spelling.
        await page.SelectOptionAsync("select[name=type]", "vin");
        await page.FillAsync("#identifier", vin.ToLowerInvariant());
        await KeepAsync("lookup");
        pages.Clear(); // the form held the identifier before submission; from here on nothing may
        await page.ClickAsync("form.lookup button");
        await page.WaitForURLAsync(HandleUrl());
        Assert.Equal(consentKey, await page.TextContentAsync("#consent-key"));
        Assert.Equal("no", await page.TextContentAsync("#erased"));
        Assert.Equal("granted", await Cell(page, "#consent", "positioning", 2));
        Assert.Equal("forwarded", await Cell(page, "#consent", "positioning", 6));
        Assert.Equal("6", await Cell(page, "#lake", "positioning", 2));
        Assert.NotNull(await page.QuerySelectorAsync("#no-erasures"));
        await KeepAsync("subject");

        // Withdraw positioning, after a confirmation: the withdrawal is on the consent topic, keyed as the loader reads it.
        await page.ClickAsync("#consent tr[data-purpose=positioning] a");
        await KeepAsync("confirm-withdrawal");
        await page.ClickAsync("#confirm-withdrawal");
        await page.WaitForSelectorAsync("#notice");
        List<ConsumeResult<byte[], byte[]>> changes = await KafkaTestClient.ConsumeExactlyAsync(kafka.BootstrapServers, bed.Options.ConsentChangesTopic, 1, Limit);
        Assert.Equal(ConsentChangeData.MessageKey(SubjectType.Vin, Normalized.Ok(SubjectType.Vin, vin), KnownPurposes.Positioning), changes[0].Message.Key);

        // Request erasure, after a confirmation; the page follows the request until its receipt arrives.
        await page.ClickAsync("#request-erasure");
        await KeepAsync("confirm-erasure");
        await page.ClickAsync("#confirm-erasure");
        await page.WaitForSelectorAsync("#erasures tr[data-state=completed]", new PageWaitForSelectorOptions { Timeout = (float)Limit.TotalMilliseconds });
        await page.ReloadAsync();
        Assert.Equal("yes: nothing of this subject's is forwarded to any purpose", await page.TextContentAsync("#erased"));
        Assert.Equal("0", await Cell(page, "#lake", "positioning", 2));
        Assert.Contains("positioning 6", await page.TextContentAsync("#erasures tr[data-state=completed]") ?? "", StringComparison.Ordinal);
        await KeepAsync("subject-erased");

        // A withdrawal confirmed after the erasure (the page no longer offers one) is refused and publishes nothing:
        // keyed by the identifier, it would put it back on the consent topic behind the erasure's tombstones.
        long consentRecords = KafkaTestClient.HighWatermarkSum(kafka.BootstrapServers, bed.Options.ConsentChangesTopic);
        await page.GotoAsync(server.Url + new Uri(page.Url).AbsolutePath.TrimStart('/') + "/withdraw/positioning");
        await page.ClickAsync("#confirm-withdrawal");
        Assert.Contains("was erased", await page.TextContentAsync("p.problem") ?? "", StringComparison.Ordinal);
        Assert.Equal(consentRecords, KafkaTestClient.HighWatermarkSum(kafka.BootstrapServers, bed.Options.ConsentChangesTopic));

        // The audit: per purpose and outcome, the counts as written; nothing unbalanced; the quarantine reason.
        await page.ClickAsync("nav >> text=Audit");
        await page.WaitForSelectorAsync("#audit-totals");
        Assert.Equal("0", await page.TextContentAsync("#audit-unbalanced"));
        Assert.Equal("155", await page.TextContentAsync("#audit-inputs"));
        Assert.Equal(released.ToString(System.Globalization.CultureInfo.InvariantCulture), await page.TextContentAsync("#audit-release"));
        Assert.Equal("155", await page.TextContentAsync("#audit-totals tr[data-purpose=analytics] td[data-outcome=inputs]"));
        Assert.Equal(released.ToString(System.Globalization.CultureInfo.InvariantCulture),
            await page.TextContentAsync("#audit-totals tr[data-purpose='analytics (release stage)'] td[data-outcome=inputs]"));
        Assert.Equal(forwardedPositioning.ToString("N0", System.Globalization.CultureInfo.InvariantCulture),
            await page.TextContentAsync("#audit-totals tr[data-purpose=positioning] td[data-outcome=forwarded]"));
        Assert.Contains("vin-invalid", await page.TextContentAsync("#quarantine") ?? "", StringComparison.Ordinal);
        Assert.Equal(Policy.Purposes.Count + 1, await page.Locator(".chart svg").CountAsync());
        await KeepAsync("audit");

        // Erasure: the request with its receipt and time to completion, under the subject's type only.
        await page.ClickAsync("nav >> text=Erasure");
        await page.WaitForSelectorAsync("#erasures");
        Assert.Contains("1 completed", await page.TextContentAsync("#erasure-counts") ?? "", StringComparison.Ordinal);
        await KeepAsync("erasure");

        // Anonymity: the figures of the latest privacy run.
        await page.ClickAsync("nav >> text=Anonymity");
        Assert.Contains("unicity, p = 1", await page.TextContentAsync("#anonymity-figures") ?? "", StringComparison.Ordinal);
        await KeepAsync("anonymity");

        // Signing out (here from the anonymity page) ends the session: every page asks for the token again.
        await page.ClickAsync("header button[type=submit]");
        await page.WaitForURLAsync("**/login");
        await page.GotoAsync(server.Url + "audit");
        Assert.EndsWith("/login", page.Url, StringComparison.Ordinal);

        RawIdentifierScanner scanner = RawIdentifierScanner.For([vin]);
        foreach ((string what, string html) in pages)
        {
            scanner.AssertClean(html, "the console's " + what + " page after the lookup");
        }

        scanner.AssertClean(urls, "the URLs the browser requested");
        scanner.AssertClean(log.Lines, "the console's log (every category, trace level)");
        Assert.Contains(log.Lines, l => l.Contains("Looked up a vin subject as ", StringComparison.Ordinal));
        Assert.Contains(log.Lines, l => l.Contains("Erasure request er-", StringComparison.Ordinal));
        foreach (string png in Directory.GetFiles(screenshots, "*.png"))
        {
            Assert.True(new FileInfo(png).Length > 10_000, png + " is not a screenshot");
        }
    }

    [Fact]
    public async Task The_console_answers_nothing_but_the_sign_in_page_without_the_token_and_listens_on_loopback_by_default()
    {
        CliResult parsed = await CliRunner.RunAsync("console", "--listen", "not-an-address");
        Assert.Contains("--listen must be IP:PORT", CliRunner.SingleErrorLine(parsed, 2), StringComparison.Ordinal);
        Assert.Equal(IPAddress.Loopback, IPEndPoint.Parse(ConsoleCommand.DefaultListen).Address);

        using RedisServerProcess redis = await RedisServerProcess.StartNewAsync();
        var log = new LogRecorder();
        string token = ConsoleSessions.NewToken();
        DirectoryInfo lake = Directory.CreateTempSubdirectory("sieve-console-lake-");
        await using ConsoleServer server = await ConsoleServer.StartAsync(new ConsoleOptions
        {
            Listen = new IPEndPoint(IPAddress.Loopback, 0),
            Token = token,
            Bootstrap = kafka.BootstrapServers,
            Redis = redis.Configuration,
            Keys = MasterKeyRing.CreateDemo(),
            Policy = Policy,
            Lake = lake.FullName,
        }, logging => logging.AddProvider(log).SetMinimumLevel(LogLevel.Trace), CancellationToken.None);
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = server.Url };
        foreach (string path in new[] { "subjects", "audit", "erasure", "anonymity", "subjects/0123456789abcdef0123456789abcdef" })
        {
            using HttpResponseMessage response = await http.GetAsync(path);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.Equal("/login", response.Headers.Location?.ToString());
        }

        using HttpResponseMessage posted = await http.PostAsync("subjects", new FormUrlEncodedContent(new Dictionary<string, string> { ["type"] = "vin", ["id"] = "LSVAU218XN2183294" }));
        Assert.Equal(HttpStatusCode.Redirect, posted.StatusCode);

        // Another name for the loopback address (a rebinding attacker's page) is refused.
        using var rebound = new HttpRequestMessage(HttpMethod.Get, "login");
        rebound.Headers.Host = "attacker.example:" + server.Url.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        using HttpResponseMessage refused = await http.SendAsync(rebound);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);

        // Signed in: a form without this session's anti-forgery value is refused, and another session's handle is unknown.
        (HttpClient one, string oneCsrf) = await SignInAsync(server, token);
        (HttpClient two, string twoCsrf) = await SignInAsync(server, token);
        using (one)
        using (two)
        {
            using HttpResponseMessage forged = await one.PostAsync("subjects", Form(("csrf", twoCsrf), ("type", "vin"), ("id", "LSVAU218XN2183294")));
            Assert.Equal(HttpStatusCode.Forbidden, forged.StatusCode);
            using HttpResponseMessage looked = await one.PostAsync("subjects", Form(("csrf", oneCsrf), ("type", "vin"), ("id", "LSVAU218XN2183294")));
            Assert.Equal(HttpStatusCode.OK, looked.StatusCode);
            string handle = looked.RequestMessage!.RequestUri!.AbsolutePath;
            Assert.Matches(HandlePattern(), handle);
            using HttpResponseMessage stolen = await two.GetAsync(handle.TrimStart('/'));
            Assert.Equal(HttpStatusCode.NotFound, stolen.StatusCode);
            using HttpResponseMessage bad = await one.PostAsync("subjects", Form(("csrf", oneCsrf), ("type", "vin"), ("id", "LSVAU218XN2183295")));
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            string problem = await bad.Content.ReadAsStringAsync();
            Assert.Contains("The identifier is not a valid vin (invalid-vin-checksum", problem, StringComparison.Ordinal);
            Assert.DoesNotContain("LSVAU218XN2183295", problem, StringComparison.OrdinalIgnoreCase);
        }

        RawIdentifierScanner.For(["LSVAU218XN2183294", "LSVAU218XN2183295"]).AssertClean(log.Lines, "the console's log");
        using HttpResponseMessage login = await http.GetAsync("login");
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        Assert.Contains("default-src 'none'", login.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Equal("DENY", login.Headers.GetValues("X-Frame-Options").Single());
    }

    private static Regex HandleUrl() => HandlePattern();

    private static FormUrlEncodedContent Form(params (string Name, string Value)[] fields) =>
        new(fields.Select(static f => new KeyValuePair<string, string>(f.Name, f.Value)));

    // A browser's sign-in: the session cookie, and the anti-forgery value its forms carry.
    private static async Task<(HttpClient Client, string Csrf)> SignInAsync(ConsoleServer server, string token)
    {
        var client = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = server.Url };
        using HttpResponseMessage signedIn = await client.PostAsync("login", Form(("token", token)));
        string page = await signedIn.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, signedIn.StatusCode);
        return (client, CsrfPattern().Match(page).Groups[1].Value);
    }

    [GeneratedRegex("name=\"csrf\" value=\"([^\"]+)\"")]
    private static partial Regex CsrfPattern();

    [GeneratedRegex("^/subjects/[0-9a-f]{32}$|/subjects/[0-9a-f]{32}$")]
    private static partial Regex HandlePattern();

    private static async Task<string?> Cell(IPage page, string table, string purpose, int column) =>
        (await page.TextContentAsync($"{table} tr[data-purpose={purpose}] td:nth-child({column})"))?.Trim();

    // Five committed batches a minute apart: consent purposes forwarded for two inputs in three and withheld
    // (no consent) for the third, the anonymized one held for release, and one input quarantined per batch; then the
    // release stage's record of what it did with 40 of the held analytics records.
    private async Task<(long ForwardedPositioning, long Released)> ProduceAuditAsync(string topic)
    {
        long forwardedPositioning = 0;
        var messages = new List<Message<byte[], byte[]>>();
        long start = DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeMilliseconds();
        for (int batch = 0; batch < 5; batch++)
        {
            var tally = new PartitionTally("telematics.raw.v1", batch % 2, Policy.Purposes.Count);
            for (int input = 0; input < 30; input++)
            {
                var outcomes = new Outcome[Policy.Purposes.Count];
                for (int p = 0; p < outcomes.Length; p++)
                {
                    outcomes[p] = !Policy.Purposes[p].ConsentRequired ? Outcome.HeldForRelease : input % 3 == 2 ? Outcome.WithheldNoConsent : Outcome.Forwarded;
                }

                tally.AddProcessed((batch * 100) + input, outcomes);
                forwardedPositioning += input % 3 == 2 ? 0 : 1;
            }

            tally.AddQuarantined((batch * 100) + 30, "vin-invalid");
            messages.Add(new Message<byte[], byte[]> { Key = [], Value = OpsRecordWriter.Audit("m-1", batch, tally, Policy.Purposes, start + (batch * 60_000)) });
        }

        PurposePlan analytics = Policy.Purposes.Single(p => p.Anonymization is not null);
        var release = new PartitionTally(analytics.Anonymization!.PendingTopic, 0, 1);
        for (int input = 0; input < 40; input++)
        {
            release.AddProcessed(input, [input % 4 == 0 ? Outcome.WithheldSparseCell : Outcome.Forwarded]);
        }

        messages.Add(new Message<byte[], byte[]> { Key = [], Value = OpsRecordWriter.Audit("m-1-release", 9, release, [analytics], start + (4 * 60_000)) });
        await KafkaTestClient.ProduceAsync(kafka.BootstrapServers, topic, messages);
        return (forwardedPositioning, 40);
    }
}
