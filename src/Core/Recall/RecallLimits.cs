namespace Sieve.Core.Recall;

/// <summary>
/// The resolver's limits: pseudonyms per request, and resolutions per campaign within a sliding window, counted
/// from the resolutions <c>recall.audit.v1</c> records (so the limit holds across processes and machines). A
/// request id already resolved is refused too: approvals cannot be replayed.
/// </summary>
/// <param name="MaxBatch">Most pseudonyms one request may list.</param>
/// <param name="MaxPerCampaign">Most resolutions of one campaign within <paramref name="Window"/>.</param>
/// <param name="Window">The sliding window.</param>
public sealed record RecallLimits(int MaxBatch, int MaxPerCampaign, TimeSpan Window)
{
    /// <summary>Default <see cref="MaxBatch"/>.</summary>
    public const int DefaultMaxBatch = 10_000;

    /// <summary>Default <see cref="MaxPerCampaign"/>.</summary>
    public const int DefaultMaxPerCampaign = 3;

    /// <summary>Default <see cref="Window"/> in hours.</summary>
    public const int DefaultWindowHours = 24;

    /// <summary>Checks the batch size of <paramref name="request"/>; null when within the limit.</summary>
    public RecallRefusal? CheckBatch(RecallRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Pseudonyms.Count > MaxBatch
            ? new RecallRefusal("batch-too-large", $"the request lists {request.Pseudonyms.Count} pseudonyms; at most {MaxBatch} may be resolved at once (--max-batch)")
            : null;
    }

    /// <summary>
    /// Checks <paramref name="request"/> against the resolutions already audited (<paramref name="prior"/>) at
    /// <paramref name="now"/>; null when within the limit.
    /// </summary>
    public RecallRefusal? CheckRate(RecallRequest request, IEnumerable<RecallAuditRecord> prior, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(prior);
        long since = (now - Window).ToUnixTimeMilliseconds();
        int recent = 0;
        foreach (RecallAuditRecord record in prior)
        {
            if (record.Outcome != RecallOutcome.Resolved)
            {
                continue;
            }

            if (string.Equals(record.RequestId, request.RequestId, StringComparison.Ordinal))
            {
                return new RecallRefusal("request-already-resolved", $"request {request.RequestId} was already resolved; make a new request and have it approved");
            }

            if (string.Equals(record.Campaign, request.Campaign, StringComparison.Ordinal) && record.AtMillis > since)
            {
                recent++;
            }
        }

        return recent >= MaxPerCampaign
            ? new RecallRefusal("rate-limited",
                $"campaign {request.Campaign} was resolved {recent} times in the last {Window.TotalHours:0.##} h; at most {MaxPerCampaign} are allowed (--max-per-campaign, --window-hours)")
            : null;
    }
}
