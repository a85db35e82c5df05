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
