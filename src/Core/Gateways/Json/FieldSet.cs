namespace Sieve.Core.Gateways.Json;

/// <summary>
/// Which of an object's known fields have been read (bit i for field i), to refuse duplicates and find missing
/// required fields without allocating.
/// </summary>
internal struct FieldSet
{
    private uint _seen;

    /// <summary>Marks field <paramref name="index"/> (0 to 31) seen; false if it already was.</summary>
    public bool TryMark(int index)
    {
        uint bit = 1u << index;
        if ((_seen & bit) != 0)
        {
            return false;
        }

        _seen |= bit;
        return true;
    }

    /// <summary>True when field <paramref name="index"/> was seen.</summary>
    public readonly bool Has(int index) => (_seen & (1u << index)) != 0;
}
