using System.Diagnostics;

namespace Sieve.Testing.EndToEnd;

/// <summary>Awaits a condition on in-process state (counters, flags) that no event signals, with a timeout that fails the test.</summary>
internal static class Eventually
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(10);

    /// <summary>
    /// Completes when <paramref name="condition"/> holds; fails the test with <paramref name="describe"/> after
    /// <paramref name="timeout"/>. <paramref name="check"/> runs on every round (e.g. to surface a crashed engine).
    /// </summary>
    public static async Task UntilAsync(Func<bool> condition, TimeSpan timeout, Func<string> describe, Action? check = null)
    {
        long start = Stopwatch.GetTimestamp();
        while (!condition())
        {
            check?.Invoke();
            if (Stopwatch.GetElapsedTime(start) > timeout)
            {
                Assert.Fail("Not within " + timeout.TotalSeconds + " s: " + describe());
            }

            await Task.Delay(Interval);
        }
    }
}
