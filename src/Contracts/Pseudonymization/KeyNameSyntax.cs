namespace Sieve.Contracts.Pseudonymization;

/// <summary>
/// The syntax of master key ids, purposes and epochs: 1 to 64 characters of <c>[A-Za-z0-9._-]</c>. Excluding
/// <c>/</c>, <c>;</c>, <c>=</c>, <c>:</c> and <c>,</c> keeps key ids (<c>k1/analytics/2026-11-25</c>), HKDF info
/// strings (<c>purpose=...;epoch=...</c>) and the <c>SIEVE_MASTER_KEYS</c> list unambiguous.
/// </summary>
internal static class KeyNameSyntax
{
    /// <summary>Longest name.</summary>
    public const int MaxLength = 64;

    public static bool IsValid(ReadOnlySpan<char> name)
    {
        if (name.IsEmpty || name.Length > MaxLength)
        {
            return false;
        }

        foreach (char c in name)
        {
            bool ok = char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-';
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }
}
