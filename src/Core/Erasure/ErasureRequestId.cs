using System.Text;
using Sieve.Contracts.Identifiers;

namespace Sieve.Core.Erasure;

/// <summary>
/// Checks the request id of an erasure request. Receipts, logs and the receipts topic's keys quote it, so it must
/// be a short token that cannot carry personal data: 1 to <see cref="MaxLength"/> characters of
/// <c>[A-Za-z0-9._-]</c> (a UUID fits) not starting with <see cref="ReservedPrefix"/>, not a valid VIN, phone number, MAC address or IMEI, and not the request's own
/// subject identifier in any spelling (opaque device ids have the same form as request ids, so that is the check).
/// </summary>
public static class ErasureRequestId
{
    /// <summary>Longest request id.</summary>
    public const int MaxLength = 64;

    /// <summary>Request ids the erasure worker makes for minors start with this; a caller's may not.</summary>
    public const string ReservedPrefix = "minor-";

    /// <summary>Reason code of a request id that is empty, too long, has a character outside <c>[A-Za-z0-9._-]</c> or starts with <see cref="ReservedPrefix"/>.</summary>
    public const string InvalidCode = "invalid-request-id";

    /// <summary>Reason code of a request id that is, or normalizes to, an identifier.</summary>
    public const string IdentifierCode = "request-id-is-an-identifier";

    private static readonly SubjectType[] ShapedTypes = [SubjectType.Vin, SubjectType.Phone, SubjectType.Mac];

    /// <summary>
    /// The request id of the erasure the <see cref="ErasureWorker"/> makes for the consent change flagging a minor at
    /// <paramref name="offset"/> of <paramref name="partition"/> of the consent changes topic.
    /// </summary>
    public static string ForMinor(int partition, long offset) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{ReservedPrefix}{partition}-{offset}");

    /// <summary>A new request id, when the requester gives none: <c>er-</c> and a random UUID in hex.</summary>
    public static string New() => "er-" + Guid.NewGuid().ToString("N");

    /// <summary>Null when <paramref name="requestId"/> may be used for a request about <paramref name="subjectId"/>; else a reason code.</summary>
    /// <param name="requestId">The request id as received.</param>
    /// <param name="subjectType">The type of the request's subject identifier.</param>
    /// <param name="subjectId">The request's subject identifier as received.</param>
    public static string? Problem(string? requestId, SubjectType subjectType, string? subjectId)
    {
        if (requestId is null || requestId.Length is 0 or > MaxLength || requestId.StartsWith(ReservedPrefix, StringComparison.OrdinalIgnoreCase))
        {
            return InvalidCode;
        }

        foreach (char c in requestId)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('.' or '_' or '-'))
            {
                return InvalidCode;
            }
        }

        Span<byte> raw = stackalloc byte[MaxLength];
        int length = Encoding.ASCII.GetBytes(requestId, raw);
        Span<byte> normalized = stackalloc byte[IdentifierNormalizer.MaxNormalizedLength];
        foreach (SubjectType type in ShapedTypes)
        {
            if (IdentifierNormalizer.TryNormalize(type, raw[..length], normalized, out _, out _) == NormalizeStatus.Ok)
            {
                return IdentifierCode;
            }
        }

        // A device id that is all digits is an IMEI; any other one is opaque and has a request id's form.
        if (IsImei(raw[..length], normalized) || IsTheSubject(raw[..length], subjectType, subjectId, normalized))
        {
            return IdentifierCode;
        }

        return null;
    }

    private static bool IsImei(ReadOnlySpan<byte> raw, Span<byte> normalized)
    {
        foreach (byte c in raw)
        {
            if (c is not ((>= (byte)'0' and <= (byte)'9') or (byte)'-'))
            {
                return false;
            }
        }

        return IdentifierNormalizer.TryNormalize(SubjectType.DeviceId, raw, normalized, out _, out _) == NormalizeStatus.Ok;
    }

    private static bool IsTheSubject(ReadOnlySpan<byte> raw, SubjectType subjectType, string? subjectId, Span<byte> normalized)
    {
        if (subjectId is null || subjectId.Length > IdentifierNormalizer.MaxRawLength
            || IdentifierNormalizer.TryNormalize(subjectType, raw, normalized, out int written, out _) != NormalizeStatus.Ok)
        {
            return false;
        }

        Span<byte> subjectRaw = stackalloc byte[IdentifierNormalizer.MaxRawLength * 3];
        int subjectLength = Encoding.UTF8.GetBytes(subjectId, subjectRaw);
        Span<byte> subject = stackalloc byte[IdentifierNormalizer.MaxNormalizedLength];
        bool same = IdentifierNormalizer.TryNormalize(subjectType, subjectRaw[..subjectLength], subject, out int subjectWritten, out _) == NormalizeStatus.Ok
            && subject[..subjectWritten].SequenceEqual(normalized[..written]);
        subjectRaw.Clear();
        subject.Clear();
        normalized.Clear();
        return same;
    }
}
