using Avro.Generic;
using Avro.IO;
using Sieve.Contracts.Avro;
using Sieve.Contracts.Schemas;

namespace Sieve.Commands.Bench;

/// <summary>
/// Sums of <c>audit.v1</c> records read back after a run: inputs, forwarded per purpose, quarantined, and whether
/// every record balanced (for each purpose, forwarded + withheld + quarantined = inputs).
/// </summary>
public sealed class AuditTotals
{
    private static readonly SchemaInfo CurrentAudit = SchemaCatalog.Default.Get("sieve.ops.AuditRecord");
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
        if (SingleObjectEncoding.TryReadHeader(message, out ulong fingerprint) != AvroStatus.Ok || WriterOf(fingerprint) is not { } writer)
        {
            Unbalanced++;
            return null;
        }

        // Records written with an earlier AuditRecord read as the current one: counts it lacks are 0.
        var stream = new MemoryStream(message, SingleObjectEncoding.HeaderLength, message.Length - SingleObjectEncoding.HeaderLength);
        GenericRecord record = new GenericDatumReader<GenericRecord>(writer.Schema, CurrentAudit.Schema).Read(null!, new BinaryDecoder(stream));
        long inputs = (long)record["inputs"];
        long quarantined = 0;
        foreach (object item in (object[])record["quarantined"])
        {
            quarantined += (long)((GenericRecord)item)["count"];
        }

        bool balanced = true;
        foreach (object item in (object[])record["purposes"])
        {
            var counts = (GenericRecord)item;
            string purpose = (string)counts["purpose"];
            long forwarded = (long)counts["forwarded"];
            long total = forwarded + (long)counts["withheldNoConsent"] + (long)counts["withheldWithdrawn"] + (long)counts["withheldMinor"]
                + (long)counts["withheldNotApplicable"] + (long)counts["withheldErased"] + (long)counts["heldForRelease"]
                + (long)counts["withheldParked"] + (long)counts["withheldTrimmed"] + (long)counts["withheldGap"] + (long)counts["withheldZone"]
                + (long)counts["withheldSparseCell"] + (long)counts["withheldExpired"] + quarantined;
            balanced &= total == inputs;
            _forwarded[purpose] = _forwarded.GetValueOrDefault(purpose) + forwarded;
            _written[purpose] = _written.GetValueOrDefault(purpose) + forwarded + (long)counts["heldForRelease"];
        }

        Inputs += inputs;
        Quarantined += quarantined;
        Unbalanced += balanced ? 0 : 1;
        return new AuditRange((string)record["sourceTopic"], (int)record["partition"], (long)record["firstOffset"], (long)record["lastOffset"], inputs);
    }

    // The current AuditRecord, or one of its earlier versions; null for any other fingerprint.
    private static SchemaInfo? WriterOf(ulong fingerprint)
    {
        if (fingerprint == CurrentAudit.Fingerprint)
        {
            return CurrentAudit;
        }

        foreach (SchemaInfo version in SchemaCatalog.Default.History(CurrentAudit))
        {
            if (version.Fingerprint == fingerprint)
            {
                return version;
            }
        }

        return null;
    }
}

/// <summary>The inputs one audit record accounts for: offsets <paramref name="FirstOffset"/> to <paramref name="LastOffset"/> (inclusive) of a partition.</summary>
/// <param name="SourceTopic">The input topic.</param>
/// <param name="Partition">The input partition.</param>
/// <param name="FirstOffset">First input offset.</param>
/// <param name="LastOffset">Last input offset.</param>
/// <param name="Inputs">Inputs accounted for (fewer than the range where transaction markers take offsets).</param>
public readonly record struct AuditRange(string SourceTopic, int Partition, long FirstOffset, long LastOffset, long Inputs);
