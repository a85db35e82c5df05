using System.Text;
using Sieve.Commands;
using Spectre.Console;

namespace Sieve.Testing.Cli;

/// <summary>
/// A <c>sieve</c> command that runs until it is stopped (e.g. <c>sieve kafka</c>), started in-process, with its output
/// readable while it runs.
/// </summary>
internal sealed class RunningCommand : IAsyncDisposable
{
    private readonly LineWriter _out = new();
    private readonly LineWriter _error = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task<int> _run;

    private RunningCommand(string[] args)
    {
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(_out),
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        _run = Task.Run(() => SieveCli.RunAsync(args, console, _error, _stop.Token));
    }

    /// <summary>Starts <c>sieve <paramref name="args"/></c>.</summary>
    public static RunningCommand Start(params string[] args) => new(args);

    /// <summary>Standard output so far.</summary>
    public string Out => _out.Text;

    /// <summary>Standard error so far.</summary>
    public string Error => _error.Text;

    /// <summary>
    /// Waits until the command has printed a line starting with <paramref name="prefix"/> and returns the rest of it;
    /// fails the test with the output when the command ends first or after <paramref name="guard"/>.
    /// </summary>
    public async Task<string> WaitForLineAsync(string prefix, TimeSpan guard)
    {
        using var timeout = new CancellationTokenSource(guard);
        while (true)
        {
            Task written = _out.NextLine;
            foreach (string line in _out.Text.Split('\n'))
            {
                if (line.StartsWith(prefix, StringComparison.Ordinal))
                {
                    return line[prefix.Length..].TrimEnd('\r');
                }
            }

            if (_run.IsCompleted || timeout.IsCancellationRequested)
            {
                Assert.Fail("sieve printed no line starting with '" + prefix + "'" + (_run.IsCompleted ? " and ended" : " within " + guard.TotalSeconds + " s")
                    + "; its output:\n" + Out + Error);
            }

            await Task.WhenAny(written, _run, Task.Delay(Timeout.Infinite, timeout.Token));
        }
    }

    /// <summary>Stops the command as Ctrl+C does and returns its exit code.</summary>
    public async Task<int> StopAsync(TimeSpan guard)
    {
        await _stop.CancelAsync();
        return await _run.WaitAsync(guard);
    }

    private static readonly TimeSpan DisposeGuard = TimeSpan.FromSeconds(60);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _run.WaitAsync(DisposeGuard);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"the command did not stop within {DisposeGuard.TotalSeconds} s of its cancellation");
        }
        catch (Exception)
        {
            // A command that failed has been reported by the test already.
        }

        _stop.Dispose();
    }

    /// <summary>Collects text written from any thread, and signals each completed line.</summary>
    private sealed class LineWriter : TextWriter
    {
        private readonly Lock _gate = new();
        private readonly StringBuilder _text = new();
        private TaskCompletionSource _line = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override Encoding Encoding => Encoding.UTF8;

        public string Text
        {
            get
            {
                lock (_gate)
                {
                    return _text.ToString();
                }
            }
        }

        public Task NextLine
        {
            get
            {
                lock (_gate)
                {
                    return _line.Task;
                }
            }
        }

        public override void Write(char value)
        {
            TaskCompletionSource? done = null;
            lock (_gate)
            {
                _text.Append(value);
                if (value == '\n')
                {
                    done = _line;
                    _line = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                }
            }

            done?.TrySetResult();
        }

        public override void Write(string? value)
        {
            foreach (char c in value ?? "")
            {
                Write(c);
            }
        }
    }
}
