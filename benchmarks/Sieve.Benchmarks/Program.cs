using BenchmarkDotNet.Running;

namespace Sieve.Benchmarks;

/// <summary>
/// Runs the benchmarks chosen on the command line, e.g.
/// <c>dotnet run -c Release --project benchmarks/Sieve.Benchmarks -- --filter '*'</c> (add <c>--job short</c> for a
/// quick run). See benchmarks/README.md.
/// </summary>
public static class Program
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
