using Sieve.Commands.Audit;

namespace Sieve.Commands.Bench;

/// <summary>
/// Sums of <c>audit.v1</c> records read back after a run: inputs, forwarded per purpose, quarantined, and whether
/// every record balanced (for each purpose, forwarded + withheld + quarantined = inputs).
/// </summary>
public sealed class AuditTotals
{
    private readonly Dictionary<string, long> _forwarded = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _written = new(StringComparer.Ordinal);

    /// <summary>Audit records read.</summary>
    public long Records { get; private set; }

    /// <summary>Inputs the records account for.</summary>
    public long Inputs { get; private set; }

    /// <summary>Quarantined inputs.</summary>
    public long Quarantined { get; private set; }

    /// <summary>Records that did not balance, or could not be read.</summary>
    public long Unbalanced { get; private set; }

    /// <summary>Forwarded records per purpose name.</summary>
    public IReadOnlyDictionary<string, long> Forwarded => _forwarded;

    /// <summary>
    /// Records written per purpose name: forwarded to the purpose topic, or held for release (written to the purpose's
    /// pending topic).
    /// </summary>
    public IReadOnlyDictionary<string, long> Written => _written;

    /// <summary>Records written for <paramref name="purpose"/> (forwarded or held; 0 when none).</summary>
    public long WrittenTo(string purpose) => _written.GetValueOrDefault(purpose);

    /// <summary>Forwarded records of <paramref name="purpose"/> (0 when none).</summary>
    public long ForwardedTo(string purpose) => _forwarded.GetValueOrDefault(purpose);

    /// <summary>Adds one audit record (single-object encoded); returns the input range it accounts for, or null when it could not be read.</summary>
    public AuditRange? Add(byte[] message)
    {
        ArgumentNullException.ThrowIfNull(message);
        Records++;
        if (!AuditRecordDecoder.TryDecode(message, out DecodedAudit? audit))
        {
            Unbalanced++;
            return null;
        }

        foreach (DecodedAudit.PurposeCounts counts in audit.Purposes)
        {
            long forwarded = counts.Counts[AuditRecordDecoder.Forwarded];
            _forwarded[counts.Purpose] = _forwarded.GetValueOrDefault(counts.Purpose) + forwarded;
            _written[counts.Purpose] = _written.GetValueOrDefault(counts.Purpose) + forwarded + counts.Counts[AuditRecordDecoder.HeldForRelease];
        }

        Inputs += audit.Inputs;
        Quarantined += audit.QuarantinedTotal;
        Unbalanced += audit.Balanced ? 0 : 1;
        return new AuditRange(audit.SourceTopic, audit.Partition, audit.FirstOffset, audit.LastOffset, audit.Inputs);
    }
}

/// <summary>The inputs one audit record accounts for: offsets <paramref name="FirstOffset"/> to <paramref name="LastOffset"/> (inclusive) of a partition.</summary>
/// <param name="SourceTopic">The input topic.</param>
/// <param name="Partition">The input partition.</param>
/// <param name="FirstOffset">First input offset.</param>
/// <param name="LastOffset">Last input offset.</param>
/// <param name="Inputs">Inputs accounted for (fewer than the range where transaction markers take offsets).</param>
public readonly record struct AuditRange(string SourceTopic, int Partition, long FirstOffset, long LastOffset, long Inputs);
