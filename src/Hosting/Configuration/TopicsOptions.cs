using Sieve.Contracts;

namespace Sieve.Hosting.Configuration;

/// <summary>Topic names (section <c>Topics</c>); each defaults to the shipped name.</summary>
public sealed class TopicsOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Topics";

    /// <summary><c>Topics:TelematicsRaw</c>.</summary>
    public string TelematicsRaw { get; set; } = Topics.TelematicsRaw;

    /// <summary><c>Topics:WifiRaw</c>.</summary>
    public string WifiRaw { get; set; } = Topics.WifiRaw;

    /// <summary><c>Topics:ConsentChanges</c>.</summary>
    public string ConsentChanges { get; set; } = Topics.ConsentChanges;

    /// <summary><c>Topics:Quarantine</c>.</summary>
    public string Quarantine { get; set; } = Topics.Quarantine;

    /// <summary><c>Topics:Audit</c>.</summary>
    public string Audit { get; set; } = Topics.Audit;

    /// <summary><c>Topics:ErasureRequests</c>.</summary>
    public string ErasureRequests { get; set; } = Topics.ErasureRequests;

    /// <summary><c>Topics:ErasureNotices</c>.</summary>
    public string ErasureNotices { get; set; } = Topics.ErasureNotices;

    /// <summary><c>Topics:ErasureReceipts</c>.</summary>
    public string ErasureReceipts { get; set; } = Topics.ErasureReceipts;
}
