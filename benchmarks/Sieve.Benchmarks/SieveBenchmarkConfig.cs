using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Validators;

namespace Sieve.Benchmarks;

/// <summary>
/// The one configuration every Sieve benchmark uses: allocations per operation (MemoryDiagnoser), operations per
/// second, and a refusal to run against non-optimized (Debug) assemblies. No job is fixed here, so the command line
/// chooses it (<c>--job short</c> for a quick run, the default job otherwise).
/// </summary>
public sealed class SieveBenchmarkConfig : ManualConfig
{
    public SieveBenchmarkConfig()
    {
        AddDiagnoser(MemoryDiagnoser.Default);
        AddColumn(StatisticColumn.OperationsPerSecond);
        AddValidator(JitOptimizationsValidator.FailOnError);
    }
}
