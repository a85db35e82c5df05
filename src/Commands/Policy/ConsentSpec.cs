using Sieve.Contracts.Purposes;
using Sieve.Core.Consent;

namespace Sieve.Commands.Policy;

/// <summary>
/// The consent <c>policy explain</c> assumes for the sample's subject: which purposes were granted (an hour before
/// the event) and whether the subject is a minor.
/// </summary>
internal sealed class ConsentSpec
{
    /// <summary>How long before the event the assumed grants take effect.</summary>
    public static readonly TimeSpan GrantLead = TimeSpan.FromHours(1);

    private ConsentSpec(IReadOnlyList<string> granted, bool minor)
    {
        Granted = granted;
        Minor = minor;
    }

    /// <summary>Purposes granted, in <see cref="KnownPurposes.All"/> order.</summary>
    public IReadOnlyList<string> Granted { get; }

    /// <summary>The subject is under 18.</summary>
    public bool Minor { get; }

    /// <summary>
    /// Parses <c>--consent</c>: <c>all</c> (the default, when <paramref name="text"/> is null), <c>none</c>, or a
    /// comma-separated list of declared purposes.
    /// </summary>
    /// <exception cref="CliException">A name that is not a declared purpose (usage error listing them).</exception>
    public static ConsentSpec Parse(string? text, bool minor)
    {
        if (text is null || string.Equals(text.Trim(), "all", StringComparison.Ordinal))
        {
            return new ConsentSpec(KnownPurposes.All, minor);
        }

        if (string.Equals(text.Trim(), "none", StringComparison.Ordinal))
        {
            return new ConsentSpec([], minor);
        }

        var wanted = new bool[KnownPurposes.Count];
        foreach (string part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            int id = KnownPurposes.IndexOf(part);
            if (id < 0)
            {
                ThrowHelper.Usage($"--consent: '{part}' is not a declared purpose; use all, none, or a comma-separated list of: {string.Join(", ", KnownPurposes.All)}");
            }

            wanted[id] = true;
        }

        var granted = new List<string>();
        for (int i = 0; i < KnownPurposes.Count; i++)
        {
            if (wanted[i])
            {
                granted.Add(KnownPurposes.All[i]);
            }
        }

        if (granted.Count == 0)
        {
            ThrowHelper.Usage("--consent: no purpose named; use all, none, or a comma-separated list of purposes");
        }

        return new ConsentSpec(granted, minor);
    }

    /// <summary>When the assumed decisions take effect for an event at <paramref name="eventTimeMillis"/>.</summary>
    public static long EffectiveTime(long eventTimeMillis) => eventTimeMillis - (long)GrantLead.TotalMilliseconds;

    /// <summary>The store updates that make the subject's record say what this spec says.</summary>
    public List<ConsentUpdate> UpdatesFor(string consentKey, long eventTimeMillis, string policyVersion)
    {
        long effective = EffectiveTime(eventTimeMillis);
        var updates = new List<ConsentUpdate>(Math.Max(1, Granted.Count));
        foreach (string purpose in Granted)
        {
            updates.Add(new ConsentUpdate(consentKey, KnownPurposes.IndexOf(purpose), granted: true, effective, policyVersion, Minor));
        }

        if (updates.Count == 0 && Minor)
        {
            // The minor flag travels on a decision. A withdrawal changes no outcome here: a minor's data is
            // withheld from every purpose whatever the decisions say.
            updates.Add(new ConsentUpdate(consentKey, KnownPurposes.IndexOf(KnownPurposes.Positioning), granted: false, effective, policyVersion, minor: true));
        }

        return updates;
    }
}
