using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Sieve.Hosting;

/// <summary>The soft and hard limit of open files of this process (<c>RLIMIT_NOFILE</c>).</summary>
/// <param name="Soft">The limit in force (<c>ulimit -Sn</c>); the process may raise it up to <paramref name="Hard"/>.</param>
/// <param name="Hard">The ceiling (<c>ulimit -Hn</c>); only a privileged process may raise it.</param>
public readonly record struct OpenFileLimits(ulong Soft, ulong Hard);

/// <summary>
/// The process's limit of open files (<c>RLIMIT_NOFILE</c>, <c>ulimit -n</c>). Every TCP connection is one open file,
/// so a server that holds many connections needs a limit above their number: <see cref="TryEnsure"/> raises the soft
/// limit to the hard one where that is needed and allowed, and otherwise explains, with the numbers, what to raise.
/// </summary>
/// <remarks>
/// Linux only: elsewhere nothing is read or changed and every check passes. On glibc Linux the .NET runtime already
/// raises the soft limit to the hard one when it starts; on musl (Alpine images) it does not, and this does.
/// </remarks>
public static class OpenFileLimit
{
    /// <summary>
    /// Files a service keeps open besides the connections it is sized for: the runtime's own (about 220 for an idle
    /// Ingest: assemblies, pipes, epoll), Kafka and Redis connections, HTTP clients and metrics scrapes.
    /// </summary>
    public const int Reserve = 1024;

    // RLIMIT_NOFILE on every Linux architecture .NET runs on (x64, arm, arm64, loongarch64, riscv64, s390x, ppc64le).
    private const int ResourceNoFile = 7;

    /// <summary>The limits in force now; null where they are not read (not Linux) or cannot be.</summary>
    public static OpenFileLimits? Current
    {
        get
        {
            if (!OperatingSystem.IsLinux())
            {
                return null;
            }

            return GetRLimit(ResourceNoFile, out RLimit limit) == 0 ? new OpenFileLimits(limit.Current, limit.Maximum) : null;
        }
    }

    /// <summary>
    /// Makes sure this process may open at least <paramref name="needed"/> files: when the soft limit is lower and the
    /// hard limit allows it, raises the soft limit to the hard one. False, with <paramref name="problem"/> naming
    /// <c>RLIMIT_NOFILE</c>, both limits and <paramref name="needed"/>, when the hard limit is lower (only a
    /// privileged process or the one that starts this one can raise it).
    /// </summary>
    /// <param name="needed">Files the process must be able to hold open at once.</param>
    /// <param name="what">What needs them, leading the problem (e.g. "10,000 connections and 1,024 other files").</param>
    /// <param name="problem">Why not, and what to raise; null when true.</param>
    public static bool TryEnsure(long needed, string what, [NotNullWhen(false)] out string? problem)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(needed);
        ArgumentNullException.ThrowIfNull(what);
        if (Current is not { } limits)
        {
            problem = null;
            return true;
        }

        if (limits.Soft >= (ulong)needed)
        {
            problem = null;
            return true;
        }

        if (limits.Hard < (ulong)needed)
        {
            problem = Describe(needed, what, limits);
            return false;
        }

        // To the hard limit, as the runtime does on glibc; an unlimited hard limit (not seen for open files) gets what is needed.
        ulong soft = limits.Hard == ulong.MaxValue ? (ulong)needed : limits.Hard;
        var raised = new RLimit { Current = (nuint)soft, Maximum = (nuint)limits.Hard };
        if (SetRLimit(ResourceNoFile, ref raised) != 0)
        {
            problem = string.Create(CultureInfo.InvariantCulture,
                $"{what} need {needed:N0} open files, but RLIMIT_NOFILE (ulimit -n) is {limits.Soft:N0} (hard limit {limits.Hard:N0}) and raising it failed (errno {Marshal.GetLastPInvokeError()}); start the process with ulimit -n {needed} or more.");
            return false;
        }

        problem = null;
        return true;
    }

    /// <summary>The problem <see cref="TryEnsure"/> reports when the hard limit in <paramref name="limits"/> is below <paramref name="needed"/>.</summary>
    public static string Describe(long needed, string what, OpenFileLimits limits) => string.Create(CultureInfo.InvariantCulture,
        $"{what} need {needed:N0} open files, but RLIMIT_NOFILE (ulimit -n) is {limits.Soft:N0} (hard limit {limits.Hard:N0}); "
        + $"raise the hard limit to {needed} or more (ulimit -Hn, systemd LimitNOFILE=, docker run --ulimit nofile=N:N).");

    // DllImport rather than LibraryImport: the generated stubs need unsafe code, which only Sieve.Embedded allows.
    // struct rlimit is two rlim_t (unsigned long), so nuint fits every Linux architecture.
    [DllImport("libc", EntryPoint = "getrlimit", SetLastError = true)]
    private static extern int GetRLimit(int resource, out RLimit limit);

    [DllImport("libc", EntryPoint = "setrlimit", SetLastError = true)]
    private static extern int SetRLimit(int resource, ref RLimit limit);

    [StructLayout(LayoutKind.Sequential)]
    private struct RLimit
    {
        public nuint Current;
        public nuint Maximum;
    }
}
