namespace Sieve.Fuzz.Harnesses;

/// <summary>Runs one harness over one input; throws <see cref="FuzzContractViolation"/> on a contract breach.</summary>
public delegate void Harness(ReadOnlySpan<byte> input);

/// <summary>Every harness by name; the name is also the folder of its corpus under <c>fuzz/corpus/</c>.</summary>
public static class Harnesses
{
    /// <summary>The harnesses.</summary>
    public static IReadOnlyDictionary<string, Harness> All { get; } = new SortedDictionary<string, Harness>(StringComparer.Ordinal)
    {
        [TeltonikaHarness.Name] = TeltonikaHarness.Run,
        [MerakiHarness.Name] = MerakiHarness.Run,
        [PortalHarness.Name] = PortalHarness.Run,
        [RawRecordsHarness.Name] = RawRecordsHarness.Run,
        [SchemaResolutionHarness.Name] = SchemaResolutionHarness.Run,
        [ErasureHarness.Name] = ErasureHarness.Run,
        [PolicyHarness.Name] = PolicyHarness.Run,
        [KeysFileHarness.Name] = KeysFileHarness.Run,
    };
}
