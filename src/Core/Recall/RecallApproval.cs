using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Sieve.Core.Recall;

/// <summary>
/// One approver's approval of a <see cref="RecallRequest"/>: the request's id and digest, the operator, when, and an
/// ECDSA P-256 signature (IEEE P1363, base64) over the request's SHA-256 digest. It proves nothing until
/// <see cref="ApprovalCheck"/> verifies it against the operator's registered public key.
/// </summary>
/// <param name="RequestId">The request approved.</param>
/// <param name="RequestDigest">Lower-case hex SHA-256 of the request's canonical bytes.</param>
/// <param name="Operator">The approver's operator id.</param>
/// <param name="ApprovedAt">When.</param>
/// <param name="Signature">The signature bytes.</param>
public sealed record RecallApproval(string RequestId, string RequestDigest, string Operator, DateTimeOffset ApprovedAt, byte[] Signature)
{
    /// <summary>Signs <paramref name="request"/> as <paramref name="operatorId"/> with <paramref name="key"/>.</summary>
    public static RecallApproval Sign(RecallRequest request, string operatorId, ECDsa key, DateTimeOffset approvedAt)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(key);
        if (!RecallToken.IsValid(operatorId))
        {
            throw new ArgumentException(RecallToken.Rule("the operator id"), nameof(operatorId));
        }

        byte[] signature = key.SignHash(request.Digest, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return new RecallApproval(request.RequestId, request.DigestHex, operatorId, DateTimeOffset.FromUnixTimeMilliseconds(approvedAt.ToUnixTimeMilliseconds()), signature);
    }

    /// <summary>The approval file's JSON.</summary>
    public string ToJson()
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteNumber("version", RecallRequest.Version);
            json.WriteString("requestId", RequestId);
            json.WriteString("requestDigest", RequestDigest);
            json.WriteString("operator", Operator);
            json.WriteString("approvedAt", ApprovedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
            json.WriteBase64String("signature", Signature);
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan) + "\n";
    }

    /// <summary>Reads an approval file; the problem (naming fields) when it is not one.</summary>
    public static RecallApproval? TryParse(ReadOnlyMemory<byte> utf8Json, out string? problem)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(utf8Json, new JsonDocumentOptions { MaxDepth = 4, AllowDuplicateProperties = false });
            JsonElement root = document.RootElement;
            string? requestId = Text(root, "requestId");
            string? digest = Text(root, "requestDigest");
            string? operatorId = Text(root, "operator");
            string? approvedAt = Text(root, "approvedAt");
            if (!RecallToken.IsValid(requestId) || digest is null || digest.Length != 64)
            {
                problem = "'requestId' and 'requestDigest' (64 hex digits) are required";
                return null;
            }

            if (!RecallToken.IsValid(operatorId))
            {
                problem = RecallToken.Rule("'operator'");
                return null;
            }

            if (approvedAt is null || !DateTimeOffset.TryParse(approvedAt, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset at))
            {
                problem = "'approvedAt' must be a UTC time";
                return null;
            }

            if (!root.TryGetProperty("signature", out JsonElement signature) || signature.ValueKind != JsonValueKind.String
                || !signature.TryGetBytesFromBase64(out byte[]? bytes) || bytes.Length == 0)
            {
                problem = "'signature' must be base64";
                return null;
            }

            problem = null;
            return new RecallApproval(requestId!, digest, operatorId!, at, bytes);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            problem = "it is not an approval (not valid JSON of the expected shape)";
            return null;
        }
    }

    private static string? Text(JsonElement root, string name) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
