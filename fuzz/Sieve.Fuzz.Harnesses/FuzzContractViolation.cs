namespace Sieve.Fuzz.Harnesses;

/// <summary>
/// A parser broke its documented contract on a fuzz input: it threw an undocumented exception, confused "needs more
/// data" with "invalid", read past a frame, gave different results for the same bytes split differently, or put an
/// identifier from the input into an error text. Thrown by the harnesses; afl-fuzz records the input as a crash.
/// </summary>
public sealed class FuzzContractViolation : Exception
{
    /// <summary>Creates the violation.</summary>
    public FuzzContractViolation(string harness, string message, Exception? inner = null)
        : base(harness + ": " + message, inner)
    {
        Harness = harness;
    }

    /// <summary>The harness whose check failed.</summary>
    public string Harness { get; }
}
