namespace Sieve.Core.Consent;

/// <summary>
/// How much of the consent view a store holds, as the view's loaders last verified it on the server answering now.
/// The view is <see cref="IsWhole"/> when every partition of the consent topic was verified there: the store holds
/// every change its loaders had applied, up to their committed positions.
/// </summary>
/// <param name="Partitions">Partitions of the consent topic, as the loaders recorded it; 0 when the view is missing (e.g. Redis restarted empty).</param>
/// <param name="Verified">Partitions whose applied position was verified on the server answering now.</param>
public readonly record struct ConsentViewState(int Partitions, int Verified)
{
    /// <summary>True when every partition was verified on the server answering now.</summary>
    public bool IsWhole => Partitions > 0 && Verified >= Partitions;

    /// <summary>A short, identifier-free description, e.g. <c>3 of 4 partitions verified</c> or <c>missing</c>.</summary>
    public override string ToString() => Partitions == 0
        ? "missing"
        : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Verified} of {Partitions} partitions verified");
}
