using System.Diagnostics.CodeAnalysis;
using Sieve.Contracts.Identifiers;
using Spectre.Console;

namespace Sieve.Commands.Consent;

/// <summary>
/// The <c>--type</c> and <c>--id</c> options of the subject commands: the identifier is normalized (and so
/// validated) before anything is published or looked up. Errors name the type and the reason code, never the
/// identifier.
/// </summary>
internal static class SubjectArguments
{
    /// <summary>Checks <c>--type</c>: given, and one of vin, phone, mac, device-id.</summary>
    public static ValidationResult CheckType(string command, string? text, out SubjectType type)
    {
        type = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return ValidationResult.Error($"--type vin|phone|mac|device-id is required; run 'sieve {command} --help'");
        }

        return SubjectTypeNames.TryParse(text, out type)
            ? ValidationResult.Success()
            : ValidationResult.Error($"--type must be one of {string.Join(", ", SubjectTypeNames.All)}");
    }

    /// <summary>Checks <c>--type</c> (<see cref="CheckType"/>), then <c>--id</c> of that type (<see cref="CheckId"/>).</summary>
    public static ValidationResult Check(string command, string? typeName, string? id, out SubjectType type, out string normalizedId)
    {
        normalizedId = "";
        ValidationResult result = CheckType(command, typeName, out type);
        return result.Successful ? CheckId(command, id, type, out normalizedId) : result;
    }

    /// <summary>Checks <c>--id</c>: given, and a valid identifier of <paramref name="type"/>; sets its canonical form.</summary>
    public static ValidationResult CheckId(string command, string? id, SubjectType type, out string normalizedId)
    {
        if (string.IsNullOrWhiteSpace(id))
        {
            normalizedId = "";
            return ValidationResult.Error($"--id ID is required; run 'sieve {command} --help'");
        }

        return TryNormalize(id, type, out normalizedId, out string? problem)
            ? ValidationResult.Success()
            : ValidationResult.Error($"--id {problem}; check the value and --type {SubjectTypeNames.NameOf(type)}");
    }

    /// <summary>
    /// Normalizes <paramref name="id"/> as a <paramref name="type"/> identifier; false with what is wrong
    /// (<c>is not a valid vin (invalid-vin-checksum: …)</c>), naming the type and the reason, never the value.
    /// </summary>
    public static bool TryNormalize(string id, SubjectType type, out string normalizedId, [NotNullWhen(false)] out string? problem)
    {
        problem = null;
        NormalizeStatus status = IdentifierNormalizer.TryNormalize(type, id, out normalizedId);
        if (status != NormalizeStatus.Ok)
        {
            problem = $"is not a valid {SubjectTypeNames.NameOf(type)} ({IdentifierNormalizer.ToReasonCode(type, status)}: {Explain(type, status)})";
            return false;
        }

        return true;
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
