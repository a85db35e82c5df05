using Sieve.Contracts.Pseudonymization;
using Sieve.Contracts.Records;
using Sieve.Core.Consent;

namespace Sieve.Commands.Bench;

/// <summary>
/// Writes consent decisions straight into a store, translated exactly as the consent loader translates them from
/// <c>consent.changes.v1</c> (consent-index pseudonyms as keys, never identifiers).
/// </summary>
public static class ConsentSeeder
{
    private const int InFlight = 256;
    private const int MaxAttempts = 10;
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Applies <paramref name="changes"/> to <paramref name="store"/>, retrying a write the store refused as
    /// unavailable (up to 10 attempts); returns how many changed the store.
    /// </summary>
    public static async Task<int> ApplyAsync(IConsentStore store, IReadOnlyList<ConsentChangeData> changes, PseudonymKeyFactory keyFactory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(changes);
        ArgumentNullException.ThrowIfNull(keyFactory);
        using PseudonymKey consentIndexKey = keyFactory.Create(PseudonymKeyFactory.ConsentIndexPurpose, PseudonymKeyFactory.StableEpoch);
        var translator = new ConsentChangeTranslator(consentIndexKey);
        var pending = new List<Task<bool>>(InFlight);
        int applied = 0;
        foreach (ConsentChangeData change in changes)
        {
            if (!translator.TryTranslate(change.ToMessage(), out ConsentUpdate update, out string? reason))
            {
                throw new InvalidOperationException("A synthetic consent change did not translate: " + reason);
            }

            pending.Add(ApplyWithRetriesAsync(store, update, cancellationToken));
            if (pending.Count == InFlight)
            {
                applied += await DrainAsync(pending).ConfigureAwait(false);
            }
        }

        return applied + await DrainAsync(pending).ConfigureAwait(false);
    }

    // A store too slow to answer in its time bound (a loaded machine) fails closed; an apply is idempotent, so it is
    // retried. One that ran although it timed out is then found in the store and counts as unchanged.
    private static async Task<bool> ApplyWithRetriesAsync(IConsentStore store, ConsentUpdate update, CancellationToken cancellationToken)
    {
        TimeSpan delay = TimeSpan.FromMilliseconds(100);
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return await store.ApplyAsync(update, cancellationToken).ConfigureAwait(false);
            }
            catch (ConsentUnavailableException) when (attempt < MaxAttempts)
            {
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                delay = delay * 2 < MaxDelay ? delay * 2 : MaxDelay;
            }
        }
    }

    private static async Task<int> DrainAsync(List<Task<bool>> pending)
    {
        bool[] results = await Task.WhenAll(pending).ConfigureAwait(false);
        pending.Clear();
        int applied = 0;
        foreach (bool changed in results)
        {
            applied += changed ? 1 : 0;
        }

        return applied;
    }
}
