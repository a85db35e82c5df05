namespace Sieve.Core.Recall;

/// <summary>What opening an escrow entry gave.</summary>
public enum EscrowOpenStatus
{
    /// <summary>The VIN was recovered.</summary>
    Opened,

    /// <summary>The entry was sealed under another recall key id.</summary>
    OtherKey,

    /// <summary>The entry does not authenticate for this key and pseudonym: tampered, moved, or another key with the same id.</summary>
    Failed,
}
