using System.Diagnostics.CodeAnalysis;
using System.Text;
using Sieve.Contracts.Avro;
using Sieve.Contracts.Avro.Resolution;
using Sieve.Contracts.Identifiers;
using Sieve.Contracts.Pseudonymization;
using Sieve.Contracts.Purposes;
using Sieve.Contracts.Records;
using Sieve.Contracts.Schemas;

namespace Sieve.Core.Consent;

/// <summary>
/// Turns one <c>consent.changes.v1</c> message into a <see cref="ConsentUpdate"/>: decodes the ConsentChange,
/// maps the purpose name to its <see cref="KnownPurposes"/> index, normalizes the subject identifier and replaces it
/// with the subject's consent key. The raw identifier never leaves this method; rejections carry a reason code only.
/// Not thread-safe (the <see cref="PseudonymKey"/> is not).
/// </summary>
public sealed class ConsentChangeTranslator
{
    /// <summary>Reason code: the message had no value (a tombstone) or an empty one.</summary>
    public const string EmptyValueReason = "empty-value";

    /// <summary>Reason code: the purpose is not one of <see cref="KnownPurposes"/>.</summary>
    public const string UnknownPurposeReason = "unknown-purpose";

    /// <summary>
    /// Reason code: a grant effective more than <see cref="MaxFutureSkew"/> from now. Changes are ordered by effective
    /// time, so a grant dated in year 9999 could never be withdrawn; it is refused instead.
    /// </summary>
    public const string GrantInFutureReason = "grant-in-future";

    /// <summary>How far ahead of this machine's clock an effective time may be (clock skew between systems).</summary>
    public static readonly TimeSpan MaxFutureSkew = TimeSpan.FromDays(1);

    private readonly PseudonymKey _consentIndexKey;
    private readonly TimeProvider _time;
    private readonly WriterSchemaSet _writers;

    // A change written with an earlier schema, transcoded to the current one. One translator serves one loop.
    private readonly byte[] _resolved = new byte[RecordLimits.MaxMessageBytes];

    /// <summary>Creates a translator.</summary>
    /// <param name="consentIndexKey">The key for purpose <see cref="PseudonymKeyFactory.ConsentIndexPurpose"/>, epoch <see cref="PseudonymKeyFactory.StableEpoch"/>; the caller keeps ownership.</param>
    /// <param name="timeProvider">The clock future effective times are judged by; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="writers">Earlier schemas of <c>ConsentChange</c> to read; the history in <c>schemas/history/</c> when null.</param>
    public ConsentChangeTranslator(PseudonymKey consentIndexKey, TimeProvider? timeProvider = null, WriterSchemaSet? writers = null)
    {
        ArgumentNullException.ThrowIfNull(consentIndexKey);
        _consentIndexKey = consentIndexKey;
        _time = timeProvider ?? TimeProvider.System;
        _writers = writers ?? SchemaCatalog.Default.WritersOf("ConsentChange");
    }

    /// <summary>Translates <paramref name="message"/> (a single-object encoded ConsentChange).</summary>
    /// <param name="message">The Kafka message value.</param>
    /// <param name="update">The update when the message is valid.</param>
    /// <param name="reasonCode">When invalid, a stable code saying why (Avro status, identifier status, <see cref="UnknownPurposeReason"/> or <see cref="GrantInFutureReason"/>); never contains the identifier.</param>
    /// <remarks>A withdrawal dated beyond <see cref="MaxFutureSkew"/> is honoured as of now: a withdrawal always counts, and a later grant can still supersede it.</remarks>
    public bool TryTranslate(ReadOnlySpan<byte> message, out ConsentUpdate update, [NotNullWhen(false)] out string? reasonCode)
    {
        update = default;
        if (message.IsEmpty)
        {
            reasonCode = EmptyValueReason;
            return false;
        }

        AvroStatus status = ConsentChangeCodec.TryReadMessage(message, _writers, _resolved, out ConsentChange change, out ReadOnlySpan<byte> source);
        if (status != AvroStatus.Ok)
        {
            reasonCode = status.ToReasonCode();
            return false;
        }

        // From here on slices index into the change as the current schema encodes it.
        message = source;

        int purposeId = KnownPurposes.IndexOf(change.Purpose.Of(message));
        if (purposeId < 0)
        {
            reasonCode = UnknownPurposeReason;
            return false;
        }

        long effectiveTime = change.EffectiveTime;
        long now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        if (effectiveTime > now + (long)MaxFutureSkew.TotalMilliseconds)
        {
            if (change.Granted)
            {
                reasonCode = GrantInFutureReason;
                return false;
            }

            effectiveTime = now;
        }

        Span<byte> normalized = stackalloc byte[IdentifierNormalizer.MaxNormalizedLength];
        NormalizeStatus normalizeStatus = IdentifierNormalizer.TryNormalize(
            change.SubjectType, change.SubjectId.Of(message), normalized, out int written, out _);
        if (normalizeStatus != NormalizeStatus.Ok)
        {
            reasonCode = IdentifierNormalizer.ToReasonCode(change.SubjectType, normalizeStatus);
            return false;
        }

        Span<byte> consentKey = stackalloc byte[ConsentKeys.Length];
        _consentIndexKey.Compute(change.SubjectType, normalized[..written], consentKey);
        normalized.Clear();

        update = new ConsentUpdate(
            Encoding.ASCII.GetString(consentKey),
            purposeId,
            change.Granted,
            effectiveTime,
            change.PolicyVersion.ToString(message) ?? string.Empty,
            change.Minor,
            change.ExpiresAt ?? PurposeConsent.NoExpiry);
        reasonCode = null;
        return true;
    }
}
