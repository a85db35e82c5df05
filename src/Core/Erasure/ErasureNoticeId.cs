using System.Security.Cryptography;

namespace Sieve.Core.Erasure;

/// <summary>
/// The id of one erasure notice: 16 random bytes as 32 lower-case hex characters, drawn afresh for every notice, so
/// it names the notice and links it to nothing (not to the request, nor to the subject's other notices).
/// </summary>
public static class ErasureNoticeId
{
    /// <summary>Characters in an id.</summary>
    public const int Length = 32;

    /// <summary>A new random id.</summary>
    public static string New() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(Length / 2));

    /// <summary>True when <paramref name="id"/> has the form of a notice id.</summary>
    public static bool IsWellFormed(string? id)
    {
        if (id is null || id.Length != Length)
        {
            return false;
        }

        foreach (char c in id)
        {
            if (!char.IsAsciiHexDigitLower(c) && !char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }
}
