using System.Text;
using System.Text.RegularExpressions;
using Sieve.Contracts.Pseudonymization;

namespace Sieve.Fuzz.Harnesses;

/// <summary>
/// The keys file: <see cref="KeysFile.Parse"/>. Every failure is a <see cref="KeyRingException"/> whose message
/// names the file, the JSON path and the problem and never quotes a value from the file (a misplaced secret).
/// </summary>
public static partial class KeysFileHarness
{
    /// <summary>Name in the registry and the corpus folder.</summary>
    public const string Name = "keys-file";

    private const string Where = "Keys file 'keys.json'";

    /// <summary>Checks the parser on <paramref name="input"/>.</summary>
    public static void Run(ReadOnlySpan<byte> input)
    {
        if (input.Length > Contract.MaxInputBytes)
        {
            return;
        }

        byte[] file = input.ToArray();
        Contract.NoUndocumentedException(Name, "KeysFile.Parse", () => Check(file));
    }

    private static void Check(byte[] file)
    {
        try
        {
            MasterKeyRing ring = KeysFile.Parse(file, Where);
            Contract.Require(Name, ring is not null, "parsed a null key ring");
        }
        catch (KeyRingException e)
        {
            Contract.Require(Name, e.Message.StartsWith(Where, StringComparison.Ordinal), "the message does not start with the file");
            string rest = e.Message[Where.Length..];
            Contract.NoIdentifierIn(Name, rest, file);
            foreach (string value in QuotedValues(file))
            {
                Contract.Require(Name, !rest.Contains(value, StringComparison.Ordinal), $"the message quotes a value of the file ({value.Length} characters)");
            }
        }
    }

    /// <summary>The contents of the input's double-quoted strings that could be a secret: 8 or more characters with a digit or a base64 symbol.</summary>
    private static IEnumerable<string> QuotedValues(byte[] file)
    {
        foreach (Match match in Quoted().Matches(Encoding.Latin1.GetString(file)))
        {
            string value = match.Groups[1].Value;
            if (value.Length >= 8 && value.AsSpan().ContainsAny("0123456789+/="))
            {
                yield return value;
            }
        }
    }

    [GeneratedRegex("\"([^\"\\\\]*)\"")]
    private static partial Regex Quoted();
}
