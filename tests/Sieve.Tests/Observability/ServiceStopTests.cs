using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using Sieve.Hosting;

namespace Sieve.Tests.Observability;

public sealed class ServiceStopTests
{
    [Fact]
    public async Task Loops_that_finish_once_stopped_are_waited_for()
    {
        using var stopping = new CancellationTokenSource();
        Task loop = Task.Delay(Timeout.Infinite, stopping.Token).ContinueWith(static _ => { }, TaskScheduler.Default);
        Task<bool> waiting = ServiceStop.WaitAsync(loop, stopping.Token, new FakeTimeProvider());
        Assert.False(waiting.IsCompleted);

        await stopping.CancelAsync();

        Assert.True(await waiting);
    }

    [Fact]
    public async Task Loops_still_running_when_the_wait_runs_out_are_left_and_named()
    {
        var time = new FakeTimeProvider();
        using var stopping = new CancellationTokenSource();
        var blocked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task<bool> waiting = ServiceStop.WaitAsync(blocked.Task, stopping.Token, time);

        // No bound before the stop: the wait only starts with it.
        time.Advance(ServiceStop.Wait * 2);
        Assert.False(waiting.IsCompleted);
        stopping.Cancel();
        time.Advance(ServiceStop.Wait - TimeSpan.FromMilliseconds(1));
        Assert.False(waiting.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.False(await waiting);
        Assert.Equal("consent loader", ServiceStop.Unfinished([("engine", Task.CompletedTask), ("consent loader", blocked.Task)]));
        blocked.SetResult();
    }

    [Fact]
    public async Task A_loop_failing_within_the_wait_is_thrown()
    {
        using var stopping = new CancellationTokenSource();
        await stopping.CancelAsync();

        await Assert.ThrowsAsync<InvalidOperationException>(() => ServiceStop.WaitAsync(Task.FromException(new InvalidOperationException("failed")), stopping.Token, new FakeTimeProvider()));
    }
}

/// <summary><see cref="ServiceStop.RunAsync"/>: how both services run their loops. Each test restores the process's exit code.</summary>
public sealed class ServiceLoopsTests : IDisposable
{
    private readonly int _exitCode = Environment.ExitCode;
    private readonly StoppableLifetime _lifetime = new();
    private readonly FakeLogCollector _log = new();

    [Fact]
    public async Task A_loop_that_returns_before_the_stop_stops_the_service_with_exit_code_1_and_the_log_names_it()
    {
        Task others = UntilStopped();

        bool finished = await Run("sink", ("lake writer", others), ("erasure worker", Task.CompletedTask));

        Assert.True(finished);
        Assert.True(_lifetime.ApplicationStopping.IsCancellationRequested);
        Assert.Equal(1, Environment.ExitCode);
        Assert.True(others.IsCompleted);
        Assert.Equal(LogLevel.Critical, _log.LatestRecord.Level);
        Assert.Equal("The sink's erasure worker stopped (no exception: it returned); stopping the service", _log.LatestRecord.Message);
    }

    [Fact]
    public async Task A_loop_that_throws_before_the_stop_is_logged_with_its_exception_type_and_the_others_are_waited_for()
    {
        Task others = UntilStopped();

        bool finished = await Run("minimizer", ("engine", others), ("consent loader", Task.FromException(new InvalidOperationException("consent topic has no partitions"))));

        Assert.True(finished);
        Assert.True(others.IsCompleted);
        Assert.Equal(1, Environment.ExitCode);
        Assert.Equal("The minimizer's consent loader stopped (InvalidOperationException: consent topic has no partitions); stopping the service", _log.LatestRecord.Message);
    }

    [Fact]
    public async Task Loops_that_end_because_of_the_stop_are_no_failure()
    {
        Task loop = UntilStopped();
        Task<bool> running = Run("sink", ("lake writer", loop), ("retention sweeper", loop));
        Assert.False(running.IsCompleted);

        _lifetime.StopApplication();

        Assert.True(await running);
        Assert.Equal(_exitCode, Environment.ExitCode);
        Assert.Empty(_log.GetSnapshot());
    }

    public void Dispose() => Environment.ExitCode = _exitCode;

    private Task UntilStopped() => Task.Delay(Timeout.Infinite, _lifetime.ApplicationStopping).ContinueWith(static _ => { }, TaskScheduler.Default);

    private Task<bool> Run(string service, params (string Name, Task Loop)[] loops) =>
        ServiceStop.RunAsync(loops, service, new FakeLogger(_log), _lifetime, _lifetime.ApplicationStopping);

    private sealed class StoppableLifetime : IHostApplicationLifetime
    {
        private readonly CancellationTokenSource _stopping = new();

        public CancellationToken ApplicationStarted => CancellationToken.None;

        public CancellationToken ApplicationStopping => _stopping.Token;

        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void StopApplication() => _stopping.Cancel();
    }
}
