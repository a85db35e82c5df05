using Sieve.Contracts.Records;

namespace Sieve.Core.Teltonika.Mapping;

/// <summary>
/// Reads the Fault Codes element (IO 281): ASCII DTCs such as <c>P0300</c>, separated by commas, semicolons or
/// whitespace. Codes are upper-cased; tokens that are not 1 to 16 letters and digits are dropped; at most
/// <see cref="RecordLimits.MaxDtcCodes"/> codes are kept, in the order sent, without repeats.
/// </summary>
internal static class FaultCodeList
{
    /// <summary>Longest token taken as a code.</summary>
    public const int MaxCodeLength = 16;

    /// <summary>The codes in <paramref name="value"/>; an empty list when there are none.</summary>
    public static List<string> Parse(ReadOnlySpan<byte> value)
    {
        var codes = new List<string>();
        Span<char> token = stackalloc char[MaxCodeLength];
        int length = 0;
        bool valid = true;
        for (int i = 0; i <= value.Length; i++)
        {
            byte b = i < value.Length ? value[i] : (byte)',';
            if (b is (byte)',' or (byte)';' or (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n' or 0)
            {
                if (valid && length > 0 && codes.Count < RecordLimits.MaxDtcCodes)
                {
                    string code = new(token[..length]);
                    if (!codes.Contains(code))
                    {
                        codes.Add(code);
                    }
                }

                length = 0;
                valid = true;
                continue;
            }

            if (!char.IsAsciiLetterOrDigit((char)b) || length == MaxCodeLength)
            {
                valid = false;
                continue;
            }

            token[length++] = char.ToUpperInvariant((char)b);
        }

        return codes;
    }
}
