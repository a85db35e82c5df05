namespace Sieve.Commands.Soak;

/// <summary>What a soak's checks found, from outside the services.</summary>
internal sealed class SoakFindings
{
    /// <summary>Distinct telematics records Ingest acknowledged to a unit.</summary>
    public long TelematicsAcked { get; set; }

    /// <summary>Acknowledgements beyond the first for the same record (a unit resent a packet whose ack it had missed, and got one again).</summary>
    public long TelematicsAckedTwice { get; set; }

    /// <summary>Acknowledged telematics records not in the raw topic: lost.</summary>
    public long TelematicsAckedMissing { get; set; }

    /// <summary>Wi-Fi records a gateway post was accepted with.</summary>
    public long WifiAccepted { get; set; }

    /// <summary>Accepted Wi-Fi records not in the raw topic (per client, accepted beyond what the topic holds): lost.</summary>
    public long WifiAcceptedMissing { get; set; }

    /// <summary>Records in the raw telematics topic.</summary>
    public long RawTelematics { get; set; }

    /// <summary>Raw telematics records that are copies of an earlier one (a unit resent a packet whose ack a kill took).</summary>
    public long RawTelematicsResent { get; set; }

    /// <summary>Records in the raw Wi-Fi topic.</summary>
    public long RawWifi { get; set; }

    /// <summary>Raw records the soak could not decode (none expected: only Ingest writes them).</summary>
    public long RawUnreadable { get; set; }

    /// <summary>Raw inputs (offsets of the raw partitions).</summary>
    public long RawInputs { get; set; }

    /// <summary>Raw inputs no audit record accounts for: lost.</summary>
    public long RawUnaudited { get; set; }

    /// <summary>Raw inputs two or more audit records account for (processed again after a Minimizer kill).</summary>
    public long RawAuditedTwice { get; set; }

    /// <summary>Audit records read.</summary>
    public long AuditRecords { get; set; }

    /// <summary>Audit records whose outcomes do not add up to their inputs.</summary>
    public long AuditUnbalanced { get; set; }

    /// <summary>Audit records of a raw partition whose inputs are not their offset range (a skipped or invented input).</summary>
    public long AuditRangeMismatches { get; set; }

    /// <summary>Errors of the tail consumer (records it could not read, such as ones retention removed first).</summary>
    public long TailErrors { get; set; }

    /// <summary>Inputs quarantined, as audited.</summary>
    public long Quarantined { get; set; }

    /// <summary>Forwarded records per purpose, as audited (inputs processed twice count twice).</summary>
    public Dictionary<string, long> Forwarded { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Records held for a release stage.</summary>
    public long PendingRecords { get; set; }

    /// <summary>Held records no release decision accounts for.</summary>
    public long ReleaseUndecided { get; set; }

    /// <summary>Per purpose topic: records and how the lake holds them.</summary>
    public SortedDictionary<string, OutputCounts> Outputs { get; } = new(StringComparer.Ordinal);

    /// <summary>Lake rows pointing at no record the soak read.</summary>
    public long LakeRowsUnknown { get; set; }

    /// <summary>True when nothing acknowledged, consumed or forwarded was lost, and the lake holds nothing twice or unknown.</summary>
    public bool NothingLost
    {
        get
        {
            long notLanded = 0;
            long landedTwice = 0;
            foreach (OutputCounts counts in Outputs.Values)
            {
                notLanded += counts.NotLanded;
                landedTwice += counts.LandedTwice;
            }

            return TelematicsAckedMissing == 0 && WifiAcceptedMissing == 0 && RawUnaudited == 0 && AuditUnbalanced == 0 && AuditRangeMismatches == 0
                && ReleaseUndecided == 0 && notLanded == 0 && landedTwice == 0 && LakeRowsUnknown == 0 && RawUnreadable == 0 && TailErrors == 0;
        }
    }

    /// <summary>
    /// True when the run moved data through every stage: records acknowledged to units and gateways, raw inputs
    /// audited, and records forwarded to a purpose topic and landed. A run that moved nothing proves nothing.
    /// </summary>
    public bool Exercised
    {
        get
        {
            long landed = 0;
            foreach (OutputCounts counts in Outputs.Values)
            {
                landed += counts.LandedOnce;
            }

            return TelematicsAcked > 0 && WifiAccepted > 0 && RawInputs > 0 && landed > 0;
        }
    }
}

/// <summary>One purpose topic's records and how the lake holds them.</summary>
internal sealed class OutputCounts
{
    /// <summary>Records in the topic (read_committed).</summary>
    public long Records { get; set; }

    /// <summary>Records in the lake exactly once.</summary>
    public long LandedOnce { get; set; }

    /// <summary>Records not in the lake.</summary>
    public long NotLanded { get; set; }

    /// <summary>Records in the lake more than once.</summary>
    public long LandedTwice { get; set; }
}
