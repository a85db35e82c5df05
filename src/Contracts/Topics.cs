namespace Sieve.Contracts;

/// <summary>Default topic names. Every one can be renamed in configuration (<c>Topics:*</c>).</summary>
public static class Topics
{
    /// <summary>Raw telematics events (raw zone), keyed by VIN.</summary>
    public const string TelematicsRaw = "telematics.raw.v1";

    /// <summary>Raw dealer Wi-Fi events (raw zone), keyed by the subject identifier.</summary>
    public const string WifiRaw = "wifi.raw.v1";

    /// <summary>Consent decisions (raw zone, compacted), keyed by subject type, identifier and purpose (see <see cref="Records.ConsentChangeData.MessageKey()"/>).</summary>
    public const string ConsentChanges = "consent.changes.v1";

    /// <summary>Minimized positioning records, keyed by positioning pseudonym.</summary>
    public const string Positioning = "positioning.v1";

    /// <summary>Minimized personalization records, keyed by personalization pseudonym.</summary>
    public const string Personalization = "personalization.v1";

    /// <summary>Generalized analytics records, each under a random pseudonym of one trip segment, released only where at least k vehicles were (see docs/privacy.md); keyed by that pseudonym.</summary>
    public const string Analytics = "analytics.v1";

    /// <summary>
    /// The pending topic of a purpose topic whose purpose declares <c>anonymize</c>: <c>analytics.v1</c> becomes
    /// <c>analytics.pending.v1</c> (a name without a <c>.vN</c> suffix gets <c>.pending</c> appended). Raw zone.
    /// </summary>
    public static string PendingFor(string purposeTopic)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(purposeTopic);
        int dot = purposeTopic.LastIndexOf('.');
        bool versioned = dot > 0 && purposeTopic.Length > dot + 2 && purposeTopic[dot + 1] == 'v'
            && purposeTopic.AsSpan(dot + 2).IndexOfAnyExceptInRange('0', '9') < 0;
        return versioned ? string.Concat(purposeTopic.AsSpan(0, dot), ".pending", purposeTopic.AsSpan(dot)) : purposeTopic + ".pending";
    }

    /// <summary>Pointers to bad inputs, with reasons; never payload bytes.</summary>
    public const string Quarantine = "quarantine.v1";

    /// <summary>Per-batch accounting of every input.</summary>
    public const string Audit = "audit.v1";

    /// <summary>Erasure requests (raw zone: they carry the identifier), keyed by request id (<c>Topics:ErasureRequests</c>).</summary>
    public const string ErasureRequests = "erasure.requests.v1";

    /// <summary>Erasure notices, one per purpose pseudonym, keyed by that pseudonym; no raw identifier (<c>Topics:ErasureNotices</c>).</summary>
    public const string ErasureNotices = "erasure.notices.v1";

    /// <summary>Erasure receipts, keyed by request id; no identifier, no pseudonym (<c>Topics:ErasureReceipts</c>).</summary>
    public const string ErasureReceipts = "erasure.receipts.v1";

    /// <summary>
    /// The recall escrow (compacted, restricted): each quality subject's VIN sealed under the recall key, keyed by the
    /// subject's quality pseudonym. Written only by the Minimizer, read only by the recall resolver (<c>Topics:QualityEscrow</c>).
    /// </summary>
    public const string QualityEscrow = "quality.escrow.v1";

    /// <summary>One record per recall resolution attempt, keyed by campaign; never a VIN or a pseudonym (<c>Topics:RecallAudit</c>).</summary>
    public const string RecallAudit = "recall.audit.v1";
}
