using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Sieve.Core.Privacy;
using Sieve.Embedded;
using Sieve.Testing;
using Sieve.Testing.Harness;
using Sieve.Testing.Privacy;
using Xunit.Abstractions;

namespace Sieve.IntegrationTests.EndToEnd;

/// <summary>
/// Runs the README's "Step by step: the three services on this machine" as written: every fenced <c>sh</c> block under
/// that heading, in order, through bash, against this build. Substituted, as the README says: the build step is
/// skipped; the ports the README shows become free ones; <c>/tmp/sieve-walk</c> becomes a fresh folder; and
/// <c>bin/Debug/net10.0</c> becomes the configuration and framework these tests were built with. A block that says
/// "leave it running" is started and awaited until ready; any other block must exit 0, and is run again while what
/// it shows is not there yet (the lake's files, the subject's rows, the erasure receipt).
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed partial class ReadmeWalkthroughTests(ITestOutputHelper output) : IDisposable
{
    private const string Heading = "## Step by step: the three services on this machine";
    private const string Folder = "/tmp/sieve-walk";
    private const string LeaveRunning = "leave it running";
    private const string Vin = "LGWTELTD8NA6P3JX3";

    // Hang guard for each awaited condition; the whole walkthrough normally takes 20 to 40 s.
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(90);
    private static readonly int[] ShownPorts = [6380, 9092, 9464, 9465, 9466, 5027, 8080, 8090];

    private readonly string _folder = Directory.CreateTempSubdirectory("sieve-walk-").FullName;
    private readonly List<Terminal> _terminals = [];
    private readonly List<string> _transcript = [];

    [Fact]
    public async Task Following_the_readme_step_by_step_lands_the_load_in_the_lake_finds_the_subject_and_erases_it()
    {
        List<Step> steps = ReadSteps();
        Assert.Equal("dotnet build Sieve.slnx", Assert.Single(steps[0].Commands));
        Step prelude = steps[1];
        Assert.Contains("cd " + Folder, prelude.Text, StringComparison.Ordinal);
        Assert.StartsWith("sieve console ", steps[^1].Commands[0], StringComparison.Ordinal);

        Dictionary<int, int> ports = ShownPorts.ToDictionary(p => p, _ => LoopbackPorts.Free());
        string Script(Step step) => Substitute(prelude.Text + "\n" + step.Text, ports);
        string? requestId = null;
        Task<(Uri Url, string Token)>? console = null;
        var pending = new List<Task>();
        var clock = Stopwatch.StartNew();
        foreach (Step step in steps.Skip(2))
        {
            if (step.Text.Contains(LeaveRunning, StringComparison.Ordinal))
            {
                Terminal terminal = Terminal.Start(step.Number, Script(step));
                _terminals.Add(terminal);
                if (step.Commands[0].StartsWith("sieve console", StringComparison.Ordinal))
                {
                    console = ConsoleReadyAsync(terminal);
                    continue;
                }

                Task ready = ReadyAsync(terminal, step, ports);

                // Redis and Kafka come first; the three services start together once they run.
                if (step.Commands.Any(c => c.StartsWith("redis-server", StringComparison.Ordinal) || c.StartsWith("sieve kafka", StringComparison.Ordinal)))
                {
                    await ready;
                }
                else
                {
                    pending.Add(ready);
                }

                continue;
            }

            await Task.WhenAll(pending);
            pending.Clear();
            Note($"{clock.Elapsed.TotalSeconds:0.0} s: step {step.Number}");
            string text = step.Commands[0];
            if (text.StartsWith("sieve keys generate", StringComparison.Ordinal))
            {
                string shown = await RunAsync(step, Script(step));
                Assert.Contains("generated master key 'k1' in sieve-keys.json", shown, StringComparison.Ordinal);
                Assert.Contains("generated recall key", shown, StringComparison.Ordinal);
            }
            else if (text.StartsWith("sieve load", StringComparison.Ordinal))
            {
                // Exit code 0: every record sent was acknowledged, i.e. persisted in Kafka, and no gateway was refused.
                string shown = await RunAsync(step, Script(step));
                Assert.Matches(@"consent \(demo mix\): published [0-9]+ changes", shown);
                Assert.Matches(@"[0-9]+ Wi-Fi records accepted, 0 refused", shown);
            }
            else if (text.StartsWith("find lake", StringComparison.Ordinal))
            {
                await RunUntilAsync(step, Script(step), static shown => shown.Contains("lake/purpose=positioning/", StringComparison.Ordinal)
                    && shown.Contains(".parquet", StringComparison.Ordinal), "a positioning Parquet file in the lake");
            }
            else if (text.StartsWith("sieve consent show", StringComparison.Ordinal))
            {
                string shown = await RunUntilAsync(step, Script(step), static shown => PositioningRows().Match(shown) is { Success: true } m
                    && int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) > 0, "the vehicle's positioning rows found by 'sieve access'");
                Assert.Matches(@"positioning\s+│ granted", shown);
                Assert.Contains("erased: no", shown, StringComparison.Ordinal);
            }
            else if (text.StartsWith("sieve erasure request", StringComparison.Ordinal))
            {
                string shown = await RunAsync(step, Script(step));
                requestId = Assert.Single(RequestId().Matches(shown)).Groups[1].Value;
            }
            else if (text.StartsWith("sieve erasure status", StringComparison.Ordinal))
            {
                Assert.NotNull(requestId);
                string shown = await RunUntilAsync(step, Script(step), shown => shown.Contains(requestId + ": completed", StringComparison.Ordinal),
                    "the erasure receipt of " + requestId);
                Assert.Matches(requestId + @": completed; subject type vin; reason user-request; .*rows removed: positioning [1-9][0-9]*", shown);
            }
            else
            {
                Assert.Fail("step " + step.Number + " is new to this test; say what it must show: " + text);
            }
        }

        // The console: sign in with the token it printed, look the vehicle up, and see its receipt and the erased flag.
        Assert.NotNull(console);
        (Uri url, string token) = await console;
        Assert.Equal("http://127.0.0.1:" + ports[8090].ToString(CultureInfo.InvariantCulture) + "/", url.ToString());
        string subject = await LookUpInConsoleAsync(url, token, requestId!);
        Assert.Contains("<dd id=\"erased\" class=\"flag-yes\">", subject, StringComparison.Ordinal);
        Assert.Contains($"data-request=\"{requestId}\" data-state=\"completed\"", subject, StringComparison.Ordinal);
        Assert.DoesNotContain(Vin, subject, StringComparison.OrdinalIgnoreCase);
        Note($"{clock.Elapsed.TotalSeconds:0.0} s: every step done");

        // The identifier went in as an argument; nothing printed it back (in any spelling), and no service logged it.
        RawIdentifierScanner scanner = RawIdentifierScanner.For([Vin]);
        foreach (Terminal terminal in _terminals)
        {
            scanner.AssertClean([.. terminal.Lines], "the output of step " + terminal.Step);
        }

        scanner.AssertClean(_transcript, "the steps' output");
    }

    public void Dispose()
    {
        // The services first, then Kafka and Redis, as the README says to stop them.
        for (int i = _terminals.Count - 1; i >= 0; i--)
        {
            _terminals[i].Dispose();
        }

        foreach (string line in _transcript)
        {
            output.WriteLine(line);
        }

        Directory.Delete(_folder, recursive: true);
    }

    /// <summary>The fenced sh blocks under the heading, each numbered by its first comment line (<c># N. ...</c>).</summary>
    private static List<Step> ReadSteps()
    {
        string readme = File.ReadAllText(Path.Combine(RepoPaths.Root, "README.md"));
        int start = readme.IndexOf("\n" + Heading + "\n", StringComparison.Ordinal);
        Assert.True(start >= 0, "README.md has no heading '" + Heading + "'");
        int end = readme.IndexOf("\n## ", start + Heading.Length, StringComparison.Ordinal);
        string section = readme[start..(end < 0 ? readme.Length : end)];
        var steps = new List<Step>();
        foreach (Match block in ShBlock().Matches(section))
        {
            string text = block.Groups[1].Value;
            Match number = StepNumber().Match(text);
            Assert.True(number.Success, "a step block starts with '# N. what it does':\n" + text);
            int n = int.Parse(number.Groups[1].Value, CultureInfo.InvariantCulture);
            Assert.Equal(steps.Count + 1, n);

            // Commands: the lines that are not comments, with continuation lines joined.
            string joined = text.Replace("\\\n", " ", StringComparison.Ordinal);
            List<string> commands = [.. joined.Split('\n').Select(static l => l.Trim()).Where(static l => l.Length > 0 && !l.StartsWith('#'))];
            steps.Add(new Step(n, text, commands));
        }

        Assert.True(steps.Count >= 5, "README.md's step by step has " + steps.Count + " sh blocks");
        return steps;
    }

    private string Substitute(string script, Dictionary<int, int> ports)
    {
        var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        string built = "/bin/" + testOutput.Parent!.Name + "/" + testOutput.Name;
        script = script.Replace(Folder, _folder, StringComparison.Ordinal).Replace("/bin/Debug/net10.0", built, StringComparison.Ordinal);
        return ShownPort().Replace(script, m => ports[int.Parse(m.Value, CultureInfo.InvariantCulture)].ToString(CultureInfo.InvariantCulture));
    }

    private static async Task ReadyAsync(Terminal terminal, Step step, Dictionary<int, int> ports)
    {
        if (step.Commands.Any(c => c.StartsWith("redis-server", StringComparison.Ordinal)))
        {
            await terminal.WaitForLineAsync(static l => l.Contains("Ready to accept connections", StringComparison.Ordinal), Guard);
        }
        else if (step.Commands.Any(c => c.StartsWith("sieve kafka", StringComparison.Ordinal)))
        {
            string line = await terminal.WaitForLineAsync(static l => l.StartsWith("bootstrap: ", StringComparison.Ordinal), Guard);
            Assert.Equal("bootstrap: 127.0.0.1:" + ports[9092], line);
        }
        else
        {
            Match metrics = MetricsUrl().Match(step.Text);
            Assert.True(metrics.Success, "step " + step.Number + " runs a service without Metrics__Urls, so its readiness cannot be seen");
            int port = ports[int.Parse(metrics.Groups[1].Value, CultureInfo.InvariantCulture)];
            await terminal.WaitForReadyAsync(new Uri("http://127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture) + "/readyz"), Guard);
        }
    }

    private static async Task<(Uri Url, string Token)> ConsoleReadyAsync(Terminal terminal)
    {
        string at = await terminal.WaitForLineAsync(static l => l.StartsWith("privacy console at ", StringComparison.Ordinal), Guard);
        string token = await terminal.WaitForLineAsync(static l => l.StartsWith("sign in with the token ", StringComparison.Ordinal), Guard);
        return (new Uri(at["privacy console at ".Length..].Split(' ')[0]), token["sign in with the token ".Length..].Split(' ')[0]);
    }

    // What a browser does: sign in, take the form's anti-forgery value, post the identifier, follow to the subject page.
    private static async Task<string> LookUpInConsoleAsync(Uri url, string token, string requestId)
    {
        using var http = new HttpClient(new HttpClientHandler { CookieContainer = new System.Net.CookieContainer() }) { BaseAddress = url };
        using HttpResponseMessage signedIn = await http.PostAsync("login", new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = token }));
        string form = await signedIn.Content.ReadAsStringAsync();
        Assert.True(signedIn.IsSuccessStatusCode && signedIn.RequestMessage!.RequestUri!.AbsolutePath == "/subjects", "signing in to the console failed: " + form);
        // Every form of the page (the lookup, sign-out) carries the session's one anti-forgery value.
        string csrf = Assert.Single(CsrfField().Matches(form).Select(static m => m.Groups[1].Value).Distinct());
        using HttpResponseMessage looked = await http.PostAsync("subjects", new FormUrlEncodedContent(new Dictionary<string, string> { ["csrf"] = csrf, ["type"] = "vin", ["id"] = Vin }));
        string page = await looked.Content.ReadAsStringAsync();
        Assert.True(looked.IsSuccessStatusCode, "the console's lookup failed: " + page);
        Assert.Matches("^/subjects/[0-9a-f]{32}$", looked.RequestMessage!.RequestUri!.AbsolutePath);
        Assert.Contains(requestId, page, StringComparison.Ordinal);
        return page;
    }

    private async Task<string> RunAsync(Step step, string script)
    {
        (int exitCode, string shown) = await Terminal.RunAsync(script, Guard);
        Record(step, shown);
        Assert.True(exitCode == 0, $"step {step.Number} exited with {exitCode}:\n{shown}\nservices:\n{Tails()}");
        return shown;
    }

    /// <summary>Runs a step that only reads, again while what it shows does not satisfy <paramref name="done"/>.</summary>
    private async Task<string> RunUntilAsync(Step step, string script, Func<string, bool> done, string what)
    {
        var clock = Stopwatch.StartNew();
        int runs = 0;
        while (true)
        {
            (int exitCode, string shown) = await Terminal.RunAsync(script, Guard);
            runs++;
            Assert.True(exitCode == 0, $"step {step.Number} exited with {exitCode}:\n{shown}\nservices:\n{Tails()}");
            if (done(shown))
            {
                Record(step, shown);
                Note($"  (step {step.Number} showed it on run {runs})");
                return shown;
            }

            if (clock.Elapsed > Guard)
            {
                Assert.Fail($"step {step.Number} did not show {what} within {Guard.TotalSeconds} s ({runs} runs); last:\n{shown}\nservices:\n{Tails()}");
            }

            foreach (Terminal terminal in _terminals)
            {
                terminal.ThrowIfExited();
            }

            // Each run starts a process and reads the lake, Redis or Kafka: it is its own pacing; this only yields.
            await Task.Delay(200);
        }
    }

    private void Record(Step step, string shown)
    {
        Note("step " + step.Number + ":");
        foreach (string line in shown.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            Note("  " + line);
        }
    }

    private void Note(string line)
    {
        lock (_transcript)
        {
            _transcript.Add(line);
        }
    }

    private string Tails() => string.Join("\n", _terminals.Select(t => "-- step " + t.Step + ":\n" + string.Join("\n", t.Lines.TakeLast(15))));

    [GeneratedRegex(@"```sh\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex ShBlock();

    [GeneratedRegex(@"^# ([0-9]+)\. ")]
    private static partial Regex StepNumber();

    [GeneratedRegex(@"(?<![0-9A-Za-z_])(6380|9092|9464|9465|9466|5027|8080|8090)(?![0-9A-Za-z_])")]
    private static partial Regex ShownPort();

    [GeneratedRegex(@"Metrics__Urls=http://127\.0\.0\.1:([0-9]+)")]
    private static partial Regex MetricsUrl();

    [GeneratedRegex(@"purpose positioning: [^\n]*; ([0-9]+) rows?")]
    private static partial Regex PositioningRows();

    [GeneratedRegex("name=\"csrf\" value=\"([^\"]+)\"")]
    private static partial Regex CsrfField();

    [GeneratedRegex(@"published erasure request (er-[0-9a-f]+) ")]
    private static partial Regex RequestId();

    private sealed record Step(int Number, string Text, List<string> Commands);

    /// <summary>One step's script in bash, as a terminal runs it: its output collected, the whole process tree ended at the end.</summary>
    private sealed class Terminal : IDisposable
    {
        private readonly Process _process;
        private readonly ConcurrentQueue<string> _lines = new();
        private TaskCompletionSource _written = new(TaskCreationOptions.RunContinuationsAsynchronously);

        private Terminal(int step, Process process)
        {
            Step = step;
            _process = process;
        }

        public int Step { get; }

        public IReadOnlyCollection<string> Lines => _lines;

        public static Terminal Start(int step, string script)
        {
            var terminal = new Terminal(step, new Process { StartInfo = Bash(script) });
            terminal._process.OutputDataReceived += (_, e) => terminal.Collect(e.Data);
            terminal._process.ErrorDataReceived += (_, e) => terminal.Collect(e.Data);
            Assert.True(terminal._process.Start(), "bash did not start");
            terminal._process.BeginOutputReadLine();
            terminal._process.BeginErrorReadLine();
            return terminal;
        }

        /// <summary>Runs <paramref name="script"/> to its end; its exit code and everything it printed.</summary>
        public static async Task<(int ExitCode, string Output)> RunAsync(string script, TimeSpan guard)
        {
            using var process = new Process { StartInfo = Bash(script) };
            var shown = new ConcurrentQueue<string>();
            process.OutputDataReceived += (_, e) => { if (e.Data is not null) { shown.Enqueue(e.Data); } };
            process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { shown.Enqueue(e.Data); } };
            Assert.True(process.Start(), "bash did not start");
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            try
            {
                await process.WaitForExitAsync().WaitAsync(guard);
            }
            catch (TimeoutException)
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail("a step did not end within " + guard.TotalSeconds + " s; it printed:\n" + string.Join("\n", shown));
            }

            // The parameterless wait drains the output handlers.
            process.WaitForExit();
            return (process.ExitCode, string.Join("\n", shown));
        }

        public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan guard)
        {
            using var timeout = new CancellationTokenSource(guard);
            Task exited = _process.WaitForExitAsync(timeout.Token);
            while (true)
            {
                Task written = Volatile.Read(ref _written).Task;
                if (_lines.FirstOrDefault(match) is { } line)
                {
                    return line;
                }

                ThrowIfExited();
                if (exited.IsCompleted)
                {
                    Assert.Fail($"step {Step} printed no such line within {guard.TotalSeconds} s:\n" + string.Join("\n", _lines.TakeLast(30)));
                }

                await Task.WhenAny(written, exited);
            }
        }

        /// <summary>Waits until <paramref name="readyz"/> answers 200, failing when the process exits first.</summary>
        public async Task WaitForReadyAsync(Uri readyz, TimeSpan guard)
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            var clock = Stopwatch.StartNew();
            while (true)
            {
                ThrowIfExited();
                try
                {
                    using HttpResponseMessage answer = await http.GetAsync(readyz);
                    if (answer.IsSuccessStatusCode)
                    {
                        return;
                    }
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    // Not listening yet.
                }

                if (clock.Elapsed > guard)
                {
                    Assert.Fail($"step {Step}: {readyz} did not answer 200 within {guard.TotalSeconds} s:\n" + string.Join("\n", _lines.TakeLast(30)));
                }

                // A service becomes ready on its own (Kafka joined, consent loaded); nothing signals it but /readyz.
                await Task.Delay(100);
            }
        }

        public void ThrowIfExited()
        {
            if (_process.HasExited)
            {
                Assert.Fail($"step {Step} (left running) exited with {_process.ExitCode}:\n" + string.Join("\n", _lines.TakeLast(30)));
            }
        }

        public void Dispose() => ProcessEnd.KillAndDispose(_process);

        private static ProcessStartInfo Bash(string script)
        {
            var start = new ProcessStartInfo("bash")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,

                // Step 2 starts from the repository's folder, as the README says.
                WorkingDirectory = RepoPaths.Root,
            };
            start.ArgumentList.Add("-e");
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add(script);

            // The keys come from the files the steps make, never from a variable of the test runner's.
            start.Environment.Remove("SIEVE_MASTER_KEYS");
            return start;
        }

        private void Collect(string? line)
        {
            if (line is not null)
            {
                _lines.Enqueue(line);
                Interlocked.Exchange(ref _written, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
            }
        }
    }
}
