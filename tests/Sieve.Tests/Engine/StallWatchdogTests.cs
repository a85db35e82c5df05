using Microsoft.Extensions.Time.Testing;
using Sieve.Core.Engine;

namespace Sieve.Tests.Engine;

public sealed class StallWatchdogTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(40);

    [Fact]
    public void A_call_running_past_the_limit_is_reported_once_with_its_name()
    {
        var time = new FakeTimeProvider();
        using var watchdog = new StallWatchdog(Limit, time);
        var stalls = new List<(string Operation, TimeSpan Elapsed)>();
        watchdog.Stalled += (operation, elapsed) => stalls.Add((operation, elapsed));

        using (watchdog.Watch("release transaction commit"))
        {
            time.Advance(TimeSpan.FromSeconds(39));
            Assert.Empty(stalls);
            time.Advance(TimeSpan.FromSeconds(11));
            time.Advance(TimeSpan.FromSeconds(60));
        }

        (string operation, TimeSpan elapsed) = Assert.Single(stalls);
        Assert.Equal("release transaction commit", operation);
        Assert.InRange(elapsed, Limit, TimeSpan.FromSeconds(60));
        Assert.Equal(1, watchdog.Stalls);
    }

    [Fact]
    public void Calls_that_return_within_the_limit_are_never_reported()
    {
        var time = new FakeTimeProvider();
        using var watchdog = new StallWatchdog(Limit, time);
        int stalls = 0;
        watchdog.Stalled += (_, _) => stalls++;
        for (int i = 0; i < 10; i++)
        {
            using (watchdog.Watch("minimizer transaction commit"))
            {
                time.Advance(TimeSpan.FromSeconds(30));
            }
        }

        time.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(0, stalls);

        // A default scope (no watchdog) is a no-op.
        default(StallWatchdog.Scope).Dispose();
    }
}
