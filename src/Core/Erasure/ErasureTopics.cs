namespace Sieve.Core.Erasure;

/// <summary>Default names of the erasure topics. Each can be renamed in configuration (<c>Topics:Erasure*</c>).</summary>
public static class ErasureTopics
{
    /// <summary>Erasure requests (raw zone: they carry the identifier), keyed by request id.</summary>
    public const string Requests = "erasure.requests.v1";

    /// <summary>Erasure notices, one per purpose pseudonym, keyed by that pseudonym; no raw identifier.</summary>
    public const string Notices = "erasure.notices.v1";

    /// <summary>Erasure receipts, keyed by request id; no identifier, no pseudonym.</summary>
    public const string Receipts = "erasure.receipts.v1";
}
