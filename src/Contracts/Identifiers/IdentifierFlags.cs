namespace Sieve.Contracts.Identifiers;

/// <summary>Facts learned while normalizing.</summary>
[Flags]
public enum IdentifierFlags : byte
{
    /// <summary>Nothing notable.</summary>
    None = 0,
    /// <summary>A locally administered (typically randomized, privacy) MAC address.</summary>
    LocallyAdministeredMac = 1,
}
