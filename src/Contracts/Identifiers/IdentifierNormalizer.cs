namespace Sieve.Contracts.Identifiers;

/// <summary>
/// Brings identifiers to one canonical ASCII form so that the spellings of one identifier key alike, and rejects
/// what cannot be an identifier of its type. Runs per event: nothing is allocated, and no more than
/// <see cref="MaxRawLength"/> input bytes are looked at.
/// </summary>
/// <remarks>
/// Canonical forms: VIN upper case, 17 characters, check digit verified; MAC lower-case hex with colons
/// (<c>aa:bb:cc:dd:ee:ff</c>), unicast only; phone E.164 (<c>+8613800138000</c>) with +86 as the default region;
/// device id either the 15 digits of a Luhn-valid IMEI or a lower-cased opaque id of <c>[a-z0-9-_.:]</c>.
/// Leading and trailing ASCII whitespace is ignored for every type.
/// </remarks>
public static class IdentifierNormalizer
{
    /// <summary>Longest normalized identifier, in bytes; destinations must be at least this long.</summary>
    public const int MaxNormalizedLength = 64;

    /// <summary>Longest raw input, whitespace included; longer input is <see cref="NormalizeStatus.TooLong"/> unread.</summary>
    public const int MaxRawLength = 256;

    /// <summary>
    /// Normalizes an identifier given as text (an option, a registry file, a request's field, a consent change) into
    /// its canonical form as a string, through the span overload. For callers off the per-event path: it allocates
    /// the result. The UTF-8 copy and the canonical bytes are cleared before it returns.
    /// </summary>
    /// <param name="type">The kind of identifier <paramref name="raw"/> is supposed to be.</param>
    /// <param name="raw">The identifier as received.</param>
    /// <param name="normalized">The canonical form on <see cref="NormalizeStatus.Ok"/>; empty otherwise.</param>
    /// <returns><see cref="NormalizeStatus.Ok"/> or the specific reason the input is not an identifier of the type.</returns>
    public static NormalizeStatus TryNormalize(SubjectType type, string raw, out string normalized)
    {
        ArgumentNullException.ThrowIfNull(raw);
        normalized = "";
        if (raw.Length > MaxRawLength)
        {
            return NormalizeStatus.TooLong;
        }

        // A char is at most 3 UTF-8 bytes (a surrogate pair, 2 chars, is 4).
        Span<byte> utf8 = stackalloc byte[MaxRawLength * 3];
        int length = System.Text.Encoding.UTF8.GetBytes(raw, utf8);
        Span<byte> destination = stackalloc byte[MaxNormalizedLength];
        NormalizeStatus status = TryNormalize(type, utf8[..length], destination, out int written, out _);
        if (status == NormalizeStatus.Ok)
        {
            normalized = System.Text.Encoding.ASCII.GetString(destination[..written]);
        }

        utf8.Clear();
        destination.Clear();
        return status;
    }

    /// <summary>
    /// Normalizes <paramref name="raw"/> (UTF-8) into <paramref name="destination"/> (ASCII).
    /// </summary>
    /// <param name="type">The kind of identifier <paramref name="raw"/> is supposed to be.</param>
    /// <param name="raw">The identifier as received, UTF-8. Non-ASCII bytes are never valid.</param>
    /// <param name="destination">
    /// At least <see cref="MaxNormalizedLength"/> bytes. On <see cref="NormalizeStatus.Ok"/> the canonical form is in
    /// <c>destination[..written]</c>; otherwise its contents are unspecified.
    /// </param>
    /// <param name="written">Bytes of canonical form written; 0 unless <see cref="NormalizeStatus.Ok"/>.</param>
    /// <param name="flags">What was learned on the way, e.g. that a MAC is randomized; None unless Ok.</param>
    /// <returns><see cref="NormalizeStatus.Ok"/> or the specific reason the input is not an identifier of the type.</returns>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than <see cref="MaxNormalizedLength"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="type"/> is not a defined value.</exception>
    public static NormalizeStatus TryNormalize(SubjectType type, ReadOnlySpan<byte> raw, Span<byte> destination, out int written, out IdentifierFlags flags)
    {
        if (destination.Length < MaxNormalizedLength)
        {
            ThrowHelper.ThrowDestinationTooSmall(nameof(destination), MaxNormalizedLength);
        }

        written = 0;
        flags = IdentifierFlags.None;
        if ((uint)type > (uint)SubjectType.DeviceId)
        {
            ThrowHelper.ThrowUnknownSubjectType(nameof(type));
        }

        if (raw.Length > MaxRawLength)
        {
            return NormalizeStatus.TooLong;
        }

        ReadOnlySpan<byte> trimmed = AsciiText.Trim(raw);
        if (trimmed.IsEmpty)
        {
            return NormalizeStatus.Empty;
        }

        return type switch
        {
            SubjectType.Vin => VinFormat.Normalize(trimmed, destination, out written),
            SubjectType.Mac => MacFormat.Normalize(trimmed, destination, out written, out flags),
            SubjectType.Phone => PhoneFormat.Normalize(trimmed, destination, out written),
            _ => DeviceIdFormat.Normalize(trimmed, destination, out written),
        };
    }

    /// <summary>
    /// A stable reason code for a failed normalization, such as <c>invalid-vin-checksum</c>,
    /// <c>invalid-mac-format</c> or <c>invalid-phone-length</c>; <c>ok</c> for <see cref="NormalizeStatus.Ok"/>.
    /// Codes are interned literals (nothing is allocated) and contain no part of any identifier, so they may go to
    /// logs, metric labels and outputs.
    /// </summary>
    public static string ToReasonCode(SubjectType type, NormalizeStatus status) => IdentifierReasonCodes.Get(type, status);

    /// <summary>
    /// True when <paramref name="digits"/> is exactly 15 ASCII digits whose last is the Luhn check digit of the
    /// first 14 (a well-formed IMEI).
    /// </summary>
    public static bool IsValidImei(ReadOnlySpan<byte> digits) =>
        digits.Length == DeviceIdFormat.ImeiLength && Luhn.IsValid(digits);

    /// <summary>
    /// The ISO 3779 / GB 16735 check digit (<c>0</c>-<c>9</c> or <c>X</c>) of a 17-character VIN of either case; the
    /// character at position 9 (index 8), where the check digit goes, is ignored. Meant for generating test data.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// <paramref name="vin17"/> is not 17 bytes, or a character other than the ninth is not a VIN character.
    /// </exception>
    public static char ComputeVinCheckDigit(ReadOnlySpan<byte> vin17)
    {
        if (vin17.Length != VinFormat.Length)
        {
            ThrowHelper.ThrowVinLength(nameof(vin17));
        }

        byte check = VinFormat.ComputeCheckDigit(vin17, out int badIndex);
        if (badIndex >= 0)
        {
            ThrowHelper.ThrowVinCharacter(nameof(vin17), badIndex);
        }

        return (char)check;
    }
}
