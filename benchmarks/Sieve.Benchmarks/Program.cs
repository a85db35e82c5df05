using BenchmarkDotNet.Running;
using Sieve.Benchmarks.Churn;

namespace Sieve.Benchmarks;

/// <summary>
/// Runs the benchmarks chosen on the command line, e.g.
/// <c>dotnet run -c Release --project benchmarks/Sieve.Benchmarks -- --filter '*'</c> (add <c>--job short</c> for a
/// quick run), or, with <c>churn</c> as the first argument, the consent-churn run (<see cref="ConsentChurnRun"/>).
/// See benchmarks/README.md.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "churn")
        {
            return ConsentChurnRun.Run(args[1..]);
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
