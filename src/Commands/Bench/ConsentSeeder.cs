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

    /// <summary>Applies <paramref name="changes"/> to <paramref name="store"/>; returns how many were applied.</summary>
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

            pending.Add(store.ApplyAsync(update, cancellationToken));
            if (pending.Count == InFlight)
            {
                applied += await DrainAsync(pending).ConfigureAwait(false);
            }
        }

        return applied + await DrainAsync(pending).ConfigureAwait(false);
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
