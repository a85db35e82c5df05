namespace Sieve.Embedded;

/// <summary>
/// The throws of this assembly, kept out of line so the callers stay small; split by area into
/// <c>ThrowHelper.*.cs</c>.
/// </summary>
internal static partial class ThrowHelper
{
}
