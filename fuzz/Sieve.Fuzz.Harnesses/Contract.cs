using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.RegularExpressions;

namespace Sieve.Fuzz.Harnesses;

/// <summary>Checks shared by the harnesses.</summary>
internal static partial class Contract
{
    /// <summary>Largest input a harness looks at; afl-fuzz inputs beyond this add nothing but time.</summary>
    public const int MaxInputBytes = 64 * 1024;

    /// <summary>Throws a violation unless <paramref name="condition"/> holds.</summary>
    public static void Require(string harness, [DoesNotReturnIf(false)] bool condition, string message)
    {
        if (!condition)
        {
            throw new FuzzContractViolation(harness, message);
        }
    }

    /// <summary>Runs <paramref name="parse"/>; any exception that is not a documented one becomes a violation.</summary>
    public static void NoUndocumentedException(string harness, string what, Action parse)
    {
        try
        {
            parse();
        }
        catch (FuzzContractViolation)
        {
            throw;
        }
        catch (Exception e)
        {
            throw new FuzzContractViolation(harness, $"{what} threw an undocumented {e.GetType().FullName}", e);
        }
    }

    /// <summary>
    /// The identifier-looking values in <paramref name="input"/> (read as Latin-1 so every byte is one character):
    /// every 15-digit window of a digit run (IMEI), every MAC-like token, every VIN-like token, and every run of 10
    /// or more characters of <c>[A-Za-z0-9+/=_.:-]</c> that holds a digit (opaque ids, phone numbers, subject ids,
    /// base64 secrets).
    /// </summary>
    public static List<string> IdentifierTokens(ReadOnlySpan<byte> input)
    {
        string text = Encoding.Latin1.GetString(input);
        var tokens = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match run in DigitRun().Matches(text))
        {
            for (int i = 0; i + 15 <= run.Length; i++)
            {
                tokens.Add(run.Value.Substring(i, 15));
            }
        }

        foreach (Match mac in MacLike().Matches(text))
        {
            tokens.Add(mac.Value);
        }

        foreach (Match vin in VinLike().Matches(text))
        {
            tokens.Add(vin.Value);
        }

        foreach (Match token in OpaqueToken().Matches(text))
        {
            if (token.Value.AsSpan().ContainsAnyInRange('0', '9'))
            {
                tokens.Add(token.Value);
            }
        }

        return [.. tokens];
    }

    /// <summary>Throws a violation when <paramref name="errorText"/> contains one of the identifier tokens of <paramref name="input"/>.</summary>
    public static void NoIdentifierIn(string harness, string? errorText, ReadOnlySpan<byte> input)
    {
        if (string.IsNullOrEmpty(errorText))
        {
            return;
        }

        foreach (string token in IdentifierTokens(input))
        {
            if (errorText.Contains(token, StringComparison.Ordinal))
            {
                throw new FuzzContractViolation(harness, $"the error text quotes an identifier-looking value of the input ({token.Length} characters)");
            }
        }
    }

    /// <summary>The prefix lengths worth checking of an input of <paramref name="length"/> bytes: all when short, else a spread.</summary>
    public static IEnumerable<int> PrefixLengths(int length)
    {
        if (length <= 512)
        {
            for (int i = 0; i < length; i++)
            {
                yield return i;
            }

            yield break;
        }

        for (int i = 0; i < 64; i++)
        {
            yield return i;
        }

        for (int i = 64; i < length - 64; i += Math.Max(1, length / 256))
        {
            yield return i;
        }

        for (int i = length - 64; i < length; i++)
        {
            yield return i;
        }
    }

    [GeneratedRegex("[0-9]{15,}")]
    private static partial Regex DigitRun();

    [GeneratedRegex("[0-9A-Fa-f]{2}([:.-]?[0-9A-Fa-f]{2}){5}")]
    private static partial Regex MacLike();

    [GeneratedRegex("[A-HJ-NPR-Za-hj-npr-z0-9]{17}")]
    private static partial Regex VinLike();

    [GeneratedRegex("[A-Za-z0-9+/=_.:-]{10,}")]
    private static partial Regex OpaqueToken();
}
