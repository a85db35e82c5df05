using Sieve.Contracts.Pseudonymization;

namespace Sieve.Core.Consent;

/// <summary>
/// Consent keys: the only way the consent store knows a subject. A consent key is the subject's 32-character keyed
/// pseudonym under purpose <see cref="PseudonymKeyFactory.ConsentIndexPurpose"/> and the stable epoch, never a raw
/// identifier nor an unkeyed hash of one.
/// </summary>
public static class ConsentKeys
{
    /// <summary>Length of a consent key in ASCII characters.</summary>
    public const int Length = PseudonymKey.PseudonymLength;

    /// <summary>True when <paramref name="key"/> has the shape of a consent key: <see cref="Length"/> printable ASCII characters.</summary>
    public static bool IsValid(ReadOnlySpan<char> key)
    {
        if (key.Length != Length)
        {
            return false;
        }

        foreach (char c in key)
        {
            if (c is < '!' or > '~')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>True when <paramref name="keyAscii"/> has the shape of a consent key: <see cref="Length"/> printable ASCII bytes.</summary>
    public static bool IsValid(ReadOnlySpan<byte> keyAscii)
    {
        if (keyAscii.Length != Length)
        {
            return false;
        }

        foreach (byte b in keyAscii)
        {
            if (b is < (byte)'!' or > (byte)'~')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Throws <see cref="ArgumentException"/> (naming the parameter, never the value) unless <paramref name="key"/> is valid.</summary>
    internal static void Validate(string? key, string paramName)
    {
        if (key is null || !IsValid(key.AsSpan()))
        {
            ThrowHelper.ThrowInvalidConsentKey(paramName);
        }
    }
}
