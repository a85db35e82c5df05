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

public sealed class ServiceLoopsTests
{
    [Fact]
    public async Task A_loop_that_returns_before_the_stop_stops_the_service_with_exit_code_1_and_the_log_names_it()
    {
        int exitCode = Environment.ExitCode;
        try
        {
            var lifetime = new StoppableLifetime();
            var collector = new Microsoft.Extensions.Logging.Testing.FakeLogCollector();
            var logger = new Microsoft.Extensions.Logging.Testing.FakeLogger(collector);
            Task others = Task.Delay(Timeout.Infinite, lifetime.ApplicationStopping).ContinueWith(static _ => { }, TaskScheduler.Default);

            bool finished = await ServiceStop.RunAsync([("lake writer", others), ("erasure worker", Task.CompletedTask)], "sink", logger, lifetime, lifetime.ApplicationStopping);

            Assert.True(finished);
            Assert.True(lifetime.ApplicationStopping.IsCancellationRequested);
            Assert.Equal(1, Environment.ExitCode);
            Assert.True(others.IsCompleted);
            var record = collector.LatestRecord;
            Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Critical, record.Level);
            Assert.Equal("The sink's erasure worker stopped (no exception: it returned); stopping the service", record.Message);
        }
        finally
        {
            Environment.ExitCode = exitCode;
        }
    }

    [Fact]
    public async Task A_loop_that_throws_before_the_stop_is_logged_with_its_exception_type_and_the_others_are_waited_for()
    {
        int exitCode = Environment.ExitCode;
        try
        {
            var lifetime = new StoppableLifetime();
            var collector = new Microsoft.Extensions.Logging.Testing.FakeLogCollector();
            Task others = Task.Delay(Timeout.Infinite, lifetime.ApplicationStopping).ContinueWith(static _ => { }, TaskScheduler.Default);

            bool finished = await ServiceStop.RunAsync(
                [("engine", others), ("consent loader", Task.FromException(new InvalidOperationException("consent topic has no partitions")))],
                "minimizer", new Microsoft.Extensions.Logging.Testing.FakeLogger(collector), lifetime, lifetime.ApplicationStopping);

            Assert.True(finished);
            Assert.Equal(1, Environment.ExitCode);
            Assert.Equal("The minimizer's consent loader stopped (InvalidOperationException: consent topic has no partitions); stopping the service",
                collector.LatestRecord.Message);
        }
        finally
        {
            Environment.ExitCode = exitCode;
        }
    }

    [Fact]
    public async Task Loops_that_end_because_of_the_stop_are_no_failure()
    {
        int exitCode = Environment.ExitCode;
        var lifetime = new StoppableLifetime();
        var collector = new Microsoft.Extensions.Logging.Testing.FakeLogCollector();
        Task loop = Task.Delay(Timeout.Infinite, lifetime.ApplicationStopping).ContinueWith(static _ => { }, TaskScheduler.Default);
        Task<bool> running = ServiceStop.RunAsync([("lake writer", loop), ("retention sweeper", loop)], "sink",
            new Microsoft.Extensions.Logging.Testing.FakeLogger(collector), lifetime, lifetime.ApplicationStopping);
        Assert.False(running.IsCompleted);

        lifetime.StopApplication();

        Assert.True(await running);
        Assert.Equal(exitCode, Environment.ExitCode);
        Assert.Empty(collector.GetSnapshot());
    }

    private sealed class StoppableLifetime : Microsoft.Extensions.Hosting.IHostApplicationLifetime
    {
        private readonly CancellationTokenSource _stopping = new();

        public CancellationToken ApplicationStarted => CancellationToken.None;

        public CancellationToken ApplicationStopping => _stopping.Token;

        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void StopApplication() => _stopping.Cancel();
    }
}
