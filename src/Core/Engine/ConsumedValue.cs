namespace Sieve.Core.Engine;

/// <summary>Where a consumed message's value sits in the batch's <see cref="BatchValueArena"/>.</summary>
/// <param name="Start">Index of the first byte; -1 for a null value.</param>
/// <param name="Length">Length in bytes.</param>
internal readonly record struct ConsumedValue(int Start, int Length);
