using System.Text;
using Sieve.Contracts.Identifiers;

namespace Sieve.Commands.Consent;

/// <summary>
/// The <c>--type</c> and <c>--id</c> options of the consent commands: the identifier is normalized (and so
/// validated) before anything is published or looked up. Errors name the type and the reason code, never the
/// identifier.
/// </summary>
internal static class SubjectArguments
{
    /// <summary>Reads <c>--type</c>.</summary>
    /// <exception cref="CliException">Missing or not one of vin, phone, mac, device-id (usage error).</exception>
    public static SubjectType Type(CommandArguments args)
    {
        string text = args.Required("--type", "vin|phone|mac|device-id");
        return SubjectTypeNames.TryParse(text, out SubjectType type)
            ? type
            : ThrowHelper.Usage<SubjectType>($"--type must be one of {string.Join(", ", SubjectTypeNames.All)}");
    }

    /// <summary>Reads <c>--id</c> and normalizes it as <paramref name="type"/>; returns the canonical form.</summary>
    /// <exception cref="CliException">Missing, or not a valid identifier of the type (usage error with the reason code).</exception>
    public static string NormalizedId(CommandArguments args, SubjectType type) => Normalize(type, args.Required("--id", "ID"));

    /// <summary>The canonical form of <paramref name="id"/> as an identifier of <paramref name="type"/>.</summary>
    /// <exception cref="CliException">Not a valid identifier of the type (usage error with the reason code).</exception>
    public static string Normalize(SubjectType type, string id)
    {
        byte[] raw = Encoding.UTF8.GetBytes(id);
        Span<byte> normalized = stackalloc byte[IdentifierNormalizer.MaxNormalizedLength];
        NormalizeStatus status = IdentifierNormalizer.TryNormalize(type, raw, normalized, out int written, out _);
        if (status != NormalizeStatus.Ok)
        {
            string name = SubjectTypeNames.NameOf(type);
            ThrowHelper.Usage($"--id is not a valid {name} ({IdentifierNormalizer.ToReasonCode(type, status)}: {Explain(type, status)}); check the value and --type {name}");
        }

        return Encoding.ASCII.GetString(normalized[..written]);
    }

    private static string Explain(SubjectType type, NormalizeStatus status) => status switch
    {
        NormalizeStatus.Empty => "it is empty",
        NormalizeStatus.TooLong => "it is longer than any identifier of this type",
        NormalizeStatus.InvalidCharacter => "it has a character this type does not allow, or not in that place",
        NormalizeStatus.InvalidLength => type switch
        {
            SubjectType.Vin => "a VIN has 17 characters",
            SubjectType.Mac => "a MAC address has 6 bytes, e.g. 3c:22:fb:7a:41:d9",
            SubjectType.Phone => "a phone number has 8 to 15 digits in E.164, or 11 for a mainland mobile",
            _ => "it has the wrong number of characters",
        },
        NormalizeStatus.InvalidChecksum => type == SubjectType.Vin
            ? "the check digit (9th character) does not match the rest"
            : "the last digit is not the Luhn check digit of an IMEI",
        NormalizeStatus.NotUnicast => "it is a multicast address, which no client has",
        _ => "it is not an identifier of this type",
    };
}
