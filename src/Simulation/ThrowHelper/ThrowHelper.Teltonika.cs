using System.Diagnostics.CodeAnalysis;

namespace Sieve.Simulation;

/// <summary>Throws of the simulated Teltonika units: the Codec 8 Extended writer and the unit's connection.</summary>
internal static partial class ThrowHelper
{
    [DoesNotReturn]
    public static void ThrowArgument(string name, string problem) => throw new ArgumentException(problem, name);

    /// <summary>Throws the <see cref="LoadException"/> of <paramref name="code"/>.</summary>
    [DoesNotReturn]
    public static void Throw(string code) => throw new LoadException(code);
}
