using Sieve.Contracts.Identifiers;

namespace Sieve.Core.Devices;

/// <summary>Normalizes VINs read from a registry (upper case, 17 characters, check digit verified).</summary>
internal static class RegisteredVin
{
    /// <summary>The normalized VIN, or null when <paramref name="raw"/> is empty or not a valid VIN.</summary>
    public static string? Normalize(string? raw)
    {
        if (string.IsNullOrWhiteSpace(raw) || raw.Length > IdentifierNormalizer.MaxRawLength)
        {
            return null;
        }

        return IdentifierNormalizer.TryNormalize(SubjectType.Vin, raw, out string normalized) == NormalizeStatus.Ok ? normalized : null;
    }
}
