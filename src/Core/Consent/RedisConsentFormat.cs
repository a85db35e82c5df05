using System.Globalization;
using Sieve.Contracts.Purposes;
using StackExchange.Redis;

namespace Sieve.Core.Consent;

/// <summary>
/// How consent records are laid out in Redis. One hash per subject, <c>{prefix}{consentKey}</c>, with field
/// <c>minor</c> = <c>1</c> when the subject is a minor, <c>erased</c> = <c>1</c> once the subject was erased, and one field <c>p:{purpose name}</c> per decided purpose whose
/// value is one of:
/// <list type="bullet">
/// <item><c>G:{effectiveTimeMillis}:{policyVersion}</c>: granted, with no expiry of its own;</item>
/// <item><c>E:{effectiveTimeMillis}:{expiresAtMillis}:{policyVersion}</c>: granted until <c>expiresAtMillis</c> (exclusive);</item>
/// <item><c>W:{effectiveTimeMillis}:{policyVersion}</c>: withdrawn.</item>
/// </list>
/// The policy version is last because it may hold colons. <c>G</c> and <c>W</c> are the format from before grants
/// could expire, still written for a grant without expiry, so values written before read the same (a grant with no
/// expiry) and readers from before read every grant that does not expire. A reader from before ignores an
/// <c>E</c> value, which withholds (it never grants anything it cannot read).
/// </summary>
internal static class RedisConsentFormat
{
    public const string MinorField = "minor";
    public const string ErasedField = "erased";
    public const string PurposeFieldPrefix = "p:";

    /// <summary>
    /// Applies one decision atomically. KEYS[1] subject hash. ARGV: [1] purpose field, [2] effective time (ms),
    /// [3] G, E or W, [4] what the value holds after the time (the policy version, or for E
    /// <c>{expiresAtMillis}:{policyVersion}</c>), [5] minor 1/0, [6] retention in ms (0 = none), [7] invalidation channel,
    /// [8] consent key. Returns 1 when the hash changed (and an invalidation was published), else 0. With KEYS[2], a
    /// view hash (<see cref="RedisConsentView"/>), it also moves the view's position, atomically with the change:
    /// ARGV [9] partition, [10] expected, [11] next; the reply then adds 2 when the position moved. A changed hash
    /// expires the retention after the change, unless it holds the minor flag or the erased mark: then it never
    /// expires, so the subject stays withheld.
    /// The ordering rule is <see cref="PurposeConsent.IsSupersededBy"/>: newer effective time wins (a newer grant
    /// replaces an older one whole, expiry included); at equal times a withdrawal beats a grant (G or E); a stored
    /// value that cannot be read is replaced. Lua numbers are doubles, exact for
    /// millisecond times below 2^53.
    /// </summary>
    public const string ApplyScript = RedisConsentView.AdvanceFunction + """
        local changed = 0
        if ARGV[5] == '1' and redis.call('HSETNX', KEYS[1], 'minor', '1') == 1 then
          changed = 1
        end
        local replace = false
        local current = redis.call('HGET', KEYS[1], ARGV[1])
        if not current then
          replace = true
        else
          local state, time = string.match(current, '^([GEW]):(%-?%d+):')
          local stored = tonumber(time)
          local incoming = tonumber(ARGV[2])
          if stored == nil then
            replace = true
          elseif incoming > stored then
            replace = true
          elseif incoming == stored and ARGV[3] == 'W' and state ~= 'W' then
            replace = true
          end
        end
        if replace then
          redis.call('HSET', KEYS[1], ARGV[1], ARGV[3] .. ':' .. ARGV[2] .. ':' .. ARGV[4])
          changed = 1
        end
        if changed == 1 then
          local retention = tonumber(ARGV[6])
          if redis.call('HEXISTS', KEYS[1], 'erased') == 1 or redis.call('HEXISTS', KEYS[1], 'minor') == 1 then
            redis.call('PERSIST', KEYS[1])
          elseif retention > 0 then
            redis.call('PEXPIRE', KEYS[1], retention)
          end
          redis.call('PUBLISH', ARGV[7], ARGV[8])
        end
        if KEYS[2] then
          return changed + 2 * advance(KEYS[2], ARGV[9], ARGV[10], ARGV[11])
        end
        return changed
        """;

    /// <summary>
    /// Marks a subject erased. KEYS[1] subject hash. ARGV: [1] invalidation channel, [2] consent key. The mark is
    /// sticky and the hash loses any expiry, so the mark never lapses. The invalidation is published even when the
    /// mark was already there, so every near-cache drops the subject at once. Returns 1 when the mark was new.
    /// </summary>
    public const string MarkErasedScript = """
        local changed = redis.call('HSETNX', KEYS[1], 'erased', '1')
        redis.call('PERSIST', KEYS[1])
        redis.call('PUBLISH', ARGV[1], ARGV[2])
        return changed
        """;

    private static readonly string[] PurposeFields = CreatePurposeFields();

    /// <summary>The hash field of the purpose with index <paramref name="purposeId"/>.</summary>
    public static string PurposeField(int purposeId) => PurposeFields[purposeId];

    /// <summary>Reads a subject hash. Unknown fields and unreadable values are ignored, which never grants anything.</summary>
    public static ConsentRecord Parse(HashEntry[] entries)
    {
        if (entries.Length == 0)
        {
            return ConsentRecord.Empty;
        }

        bool minor = false;
        bool erased = false;
        var purposes = new PurposeConsent[KnownPurposes.Count];
        foreach (HashEntry entry in entries)
        {
            string? name = entry.Name;
            if (name is null)
            {
                continue;
            }

            if (name == MinorField)
            {
                // Any value counts: a damaged flag must not turn a minor into an adult.
                minor = true;
            }
            else if (name == ErasedField)
            {
                // Any value counts, as for the minor flag.
                erased = true;
            }
            else if (name.StartsWith(PurposeFieldPrefix, StringComparison.Ordinal))
            {
                int id = KnownPurposes.IndexOf(name[PurposeFieldPrefix.Length..]);
                if (id >= 0 && TryParseValue(entry.Value, out PurposeConsent consent))
                {
                    purposes[id] = consent;
                }
            }
        }

        return minor || erased || Array.Exists(purposes, static p => p.State != ConsentState.None)
            ? ConsentRecord.Create(minor, erased, purposes)
            : ConsentRecord.Empty;
    }

    /// <summary>The state letter a decision is stored with: <c>G</c>, <c>E</c> (a grant with an expiry) or <c>W</c>.</summary>
    public static string StateLetter(bool granted, long expiresAtMillis) =>
        !granted ? "W" : expiresAtMillis == PurposeConsent.NoExpiry ? "G" : "E";

    /// <summary>What a value holds after its effective time: the policy version, after the expiry for an <c>E</c> value.</summary>
    public static string ValueTail(bool granted, long expiresAtMillis, string policyVersion) =>
        granted && expiresAtMillis != PurposeConsent.NoExpiry
            ? expiresAtMillis.ToString(CultureInfo.InvariantCulture) + ":" + policyVersion
            : policyVersion;

    /// <summary>The whole stored value of a decision, as the apply script writes it.</summary>
    public static string FormatValue(bool granted, long effectiveTimeMillis, long expiresAtMillis, string policyVersion) =>
        StateLetter(granted, expiresAtMillis) + ":" + effectiveTimeMillis.ToString(CultureInfo.InvariantCulture) + ":" + ValueTail(granted, expiresAtMillis, policyVersion);

    /// <summary>
    /// Parses <c>G:{effectiveTimeMillis}:{policyVersion}</c> and <c>W:…</c> (the format from before grants could
    /// expire: no expiry), and <c>E:{effectiveTimeMillis}:{expiresAtMillis}:{policyVersion}</c>.
    /// </summary>
    public static bool TryParseValue(string? value, out PurposeConsent consent)
    {
        consent = default;
        if (value is null || value.Length < 4 || value[1] != ':')
        {
            return false;
        }

        char letter = value[0];
        ConsentState state = letter switch
        {
            'G' or 'E' => ConsentState.Granted,
            'W' => ConsentState.Withdrawn,
            _ => ConsentState.None,
        };
        if (state == ConsentState.None)
        {
            return false;
        }

        ReadOnlySpan<char> rest = value.AsSpan(2);
        if (!TryReadNumber(ref rest, out long time))
        {
            return false;
        }

        long expiresAt = PurposeConsent.NoExpiry;
        if (letter == 'E' && !TryReadNumber(ref rest, out expiresAt))
        {
            return false;
        }

        consent = new PurposeConsent(state, time, rest.ToString(), expiresAt);
        return true;
    }

    // Reads "{number}:" off the front of rest.
    private static bool TryReadNumber(ref ReadOnlySpan<char> rest, out long number)
    {
        number = 0;
        int colon = rest.IndexOf(':');
        if (colon <= 0 || !long.TryParse(rest[..colon], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out number))
        {
            return false;
        }

        rest = rest[(colon + 1)..];
        return true;
    }

    private static string[] CreatePurposeFields()
    {
        var fields = new string[KnownPurposes.Count];
        for (int i = 0; i < fields.Length; i++)
        {
            fields[i] = PurposeFieldPrefix + KnownPurposes.All[i];
        }

        return fields;
    }
}
