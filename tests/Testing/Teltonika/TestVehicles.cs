namespace Sieve.Testing.Teltonika;

/// <summary>Identifiers for the Teltonika tests: Luhn-valid IMEIs and VINs with valid check digits.</summary>
internal static class TestVehicles
{
    public const string Vin1 = "LSVAU218XN2183294";
    public const string Vin2 = "LFV2A21K7P3000001";
    public const string Vin3 = "LGBH52E00NY000123";

    /// <summary>A Luhn-valid IMEI built from <paramref name="serial"/> (TAC 35209308).</summary>
    public static string Imei(int serial)
    {
        string body = "35209308" + serial.ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
        int sum = 0;
        for (int i = 0; i < 14; i++)
        {
            int digit = body[13 - i] - '0';
            if ((i & 1) == 0)
            {
                digit *= 2;
                if (digit > 9)
                {
                    digit -= 9;
                }
            }

            sum += digit;
        }

        return body + (char)('0' + ((10 - (sum % 10)) % 10));
    }

    /// <summary><paramref name="imei"/> with its check digit changed, so it fails the Luhn check.</summary>
    public static string BreakLuhn(string imei) => imei[..14] + (char)('0' + ((imei[14] - '0' + 1) % 10));
}
