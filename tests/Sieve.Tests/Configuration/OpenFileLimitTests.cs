using Sieve.Hosting;

namespace Sieve.Tests.Configuration;

public sealed class OpenFileLimitTests
{
    [Fact]
    public void The_problem_names_the_limit_both_values_and_what_is_needed()
    {
        string problem = OpenFileLimit.Describe(11_024, "10,000 connections and 1,024 other files", new OpenFileLimits(1024, 4096));

        Assert.Equal(
            "10,000 connections and 1,024 other files need 11,024 open files, but RLIMIT_NOFILE (ulimit -n) is 1,024 (hard limit 4,096); "
            + "raise the hard limit to 11024 or more (ulimit -Hn, systemd LimitNOFILE=, docker run --ulimit nofile=N:N).",
            problem);
    }

    [Fact]
    public void On_linux_the_limits_are_read_and_what_they_allow_passes_while_more_than_the_hard_limit_fails()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Null(OpenFileLimit.Current);
            Assert.True(OpenFileLimit.TryEnsure(long.MaxValue / 2, "anything", out _));
            return;
        }

        OpenFileLimits limits = Assert.NotNull(OpenFileLimit.Current);
        Assert.InRange(limits.Soft, 1UL, limits.Hard);
        Assert.True(OpenFileLimit.TryEnsure((long)limits.Soft, "as many as allowed", out string? none));
        Assert.Null(none);

        // Linux caps the hard limit of open files at fs.nr_open, so it is never unlimited.
        Assert.True(limits.Hard < int.MaxValue);
        Assert.False(OpenFileLimit.TryEnsure((long)limits.Hard + 1, "too many", out string? problem));
        Assert.StartsWith("too many need ", problem, StringComparison.Ordinal);
        Assert.Contains("RLIMIT_NOFILE (ulimit -n)", problem, StringComparison.Ordinal);
        Assert.Equal(limits, OpenFileLimit.Current);
    }
}
