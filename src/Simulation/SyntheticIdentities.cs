using System.Text;
using Sieve.Contracts.Identifiers;

namespace Sieve.Simulation;

/// <summary>Makes well-formed synthetic identifiers (valid VIN check digits, Luhn-valid IMEIs, mainland mobile numbers, MACs).</summary>
public sealed class SyntheticIdentities(int seed)
{
    private const string VinAlphabet = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789";
    private static readonly string[] Manufacturers = ["LSV", "LFV", "LGW", "LVS", "LBV", "LHG"];
    private readonly Random _random = new(seed);

    /// <summary>A 17-character VIN with a correct check digit (position 9).</summary>
    public string Vin() => Vin(serial: -1);

    /// <summary>
    /// A VIN whose last six characters, the production serial number, are <paramref name="serial"/> (0..999,999) in
    /// decimal, so that VINs of distinct serials never collide; a negative serial draws them at random like the rest.
    /// </summary>
    public string Vin(int serial)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(serial, 999_999);
        Span<byte> vin = stackalloc byte[17];
        Encoding.ASCII.GetBytes(Manufacturers[_random.Next(Manufacturers.Length)], vin);
        for (int i = 3; i < 17; i++)
        {
            vin[i] = (byte)VinAlphabet[_random.Next(VinAlphabet.Length)];
        }

        for (int i = 16; serial >= 0 && i >= 11; i--, serial /= 10)
        {
            vin[i] = (byte)('0' + (serial % 10));
        }

        vin[9] = (byte)'N'; // model year 2022
        vin[8] = (byte)IdentifierNormalizer.ComputeVinCheckDigit(vin);
        return Encoding.ASCII.GetString(vin);
    }

    /// <summary>A 15-digit IMEI with a valid Luhn check digit.</summary>
    public string Imei()
    {
        Span<int> digits = stackalloc int[15];
        digits[0] = 3;
        digits[1] = 5;
        for (int i = 2; i < 14; i++)
        {
            digits[i] = _random.Next(10);
        }

        int sum = 0;
        for (int i = 0; i < 14; i++)
        {
            int d = digits[i];
            if (i % 2 == 1)
            {
                d *= 2;
                if (d > 9)
                {
                    d -= 9;
                }
            }

            sum += d;
        }

        digits[14] = (10 - (sum % 10)) % 10;
        var sb = new StringBuilder(15);
        foreach (int d in digits)
        {
            sb.Append((char)('0' + d));
        }

        return sb.ToString();
    }

    /// <summary>A mainland mobile number, in one of the spellings people type.</summary>
    public string Phone()
    {
        string prefix = new[] { "138", "139", "186", "135", "177", "150" }[_random.Next(6)];
        string rest = _random.Next(10_000_000, 100_000_000).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return _random.Next(3) switch
        {
            0 => prefix + rest,
            1 => "+86 " + prefix + " " + rest[..4] + " " + rest[4..],
            _ => "+86" + prefix + rest,
        };
    }

    /// <summary>A unicast client MAC; <paramref name="randomized"/> sets the locally-administered bit as phones do.</summary>
    public string Mac(bool randomized)
    {
        Span<byte> octets = stackalloc byte[6];
        _random.NextBytes(octets);
        octets[0] = (byte)((octets[0] & 0xFC) | (randomized ? 0x02 : 0x00));
        string separator = _random.Next(2) == 0 ? ":" : "-";
        var sb = new StringBuilder(17);
        for (int i = 0; i < 6; i++)
        {
            if (i > 0)
            {
                sb.Append(separator);
            }

            sb.Append(octets[i].ToString(_random.Next(2) == 0 ? "x2" : "X2", System.Globalization.CultureInfo.InvariantCulture));
        }

        return sb.ToString();
    }

    /// <summary>A random opaque app device id.</summary>
    public string AppDeviceId() => "app-" + Guid.NewGuid().ToString("N")[..16];
}
