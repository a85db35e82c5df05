namespace Sieve.Hosting.Configuration;

/// <summary>
/// Where the recall key is (section <c>Recall</c>). Only the Minimizer (which seals VINs to the escrow) and the
/// recall resolver ever load it; it is never part of the master key ring.
/// </summary>
public sealed class RecallOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Recall";

    /// <summary>
    /// <c>Recall:KeyPath</c>: the recall key file (<c>sieve recall keygen</c> makes one). Required when the policy has a
    /// purpose with a <c>recallEscrow</c>.
    /// </summary>
    public string? KeyPath { get; set; }

    /// <summary>
    /// <c>Recall:EscrowDisabled</c>: run without the recall escrow although the policy keeps one (default false). The
    /// purpose's records still flow, but no owner can be reached for a recall; for demos and tests only.
    /// </summary>
    public bool EscrowDisabled { get; set; }

    /// <summary>The recall key, or null when the policy keeps no escrow.</summary>
    /// <param name="escrowPurpose">The policy's purpose that keeps an escrow, or null.</param>
    /// <exception cref="SettingsException">The policy keeps an escrow and no key is configured.</exception>
    public Core.Recall.RecallKey? Load(string? escrowPurpose)
    {
        if (escrowPurpose is null || (EscrowDisabled && string.IsNullOrWhiteSpace(KeyPath)))
        {
            return null;
        }

        if (string.IsNullOrWhiteSpace(KeyPath))
        {
            throw new SettingsException("Recall:KeyPath", $"purpose '{escrowPurpose}' keeps a recall escrow, which needs the recall key. Make one with `sieve recall keygen --out FILE` (mode 0600, kept apart from the master keys) and set Recall:KeyPath to it (or Recall:EscrowDisabled=true for a demo, and no recall can reach an owner).");
        }

        return Core.Recall.RecallKey.Load(KeyPath);
    }
}
