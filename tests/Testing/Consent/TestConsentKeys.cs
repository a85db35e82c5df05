using System.Text;

namespace Sieve.Testing.Consent;

/// <summary>Made-up 32-character consent keys, so these tests do not depend on pseudonymization.</summary>
internal static class TestConsentKeys
{
    public static string Make(int n) => $"test-consent-key-{n:D15}";

    public static byte[] Ascii(string key) => Encoding.ASCII.GetBytes(key);
}
