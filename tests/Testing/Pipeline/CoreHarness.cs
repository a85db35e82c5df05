using Avro.Generic;
using Sieve.Contracts.Identifiers;
using Sieve.Contracts.Pseudonymization;
using Sieve.Contracts.Purposes;
using Sieve.Core.Consent;
using Sieve.Core.Pipeline;
using Sieve.Core.Policy;
using Sieve.Testing.Codec;

namespace Sieve.Testing.Pipeline;

/// <summary>A MinimizerCore over the default policy, demo keys and an in-memory consent store, with a recording sink.</summary>
internal sealed class CoreHarness : IDisposable
{
    public CoreHarness(RawWriterSchemas? writers = null, Sieve.Core.Recall.RecallKey? recallKey = null)
    {
        Policy = PolicyLoader.LoadDefault();
        Keys = new PseudonymKeyFactory(MasterKeyRing.CreateDemo());
        Store = new InMemoryConsentStore();
        Cache = new ConsentCache(Store);
        Core = new MinimizerCore(Policy, Keys, Cache, writers: writers, escrow: recallKey is null ? null : new Sieve.Core.Recall.EscrowSealer(recallKey));
        ConsentIndex = Keys.Create(PseudonymKeyFactory.ConsentIndexPurpose, PseudonymKeyFactory.StableEpoch);
    }

    public CompiledPolicy Policy { get; }
    public PseudonymKeyFactory Keys { get; }
    public InMemoryConsentStore Store { get; }
    public ConsentCache Cache { get; }
    public MinimizerCore Core { get; }
    public PseudonymKey ConsentIndex { get; }
    public RecordingSink Sink { get; } = new();

    public string ConsentKey(SubjectType type, string raw)
    {
        Assert.True(Pseudonyms.TryPseudonymize(ConsentIndex, type, raw, out string key, out NormalizeStatus status), status.ToString());
        return key;
    }

    public async Task GrantAsync(SubjectType type, string raw, string purpose, long effective, bool granted = true, bool minor = false, long expiresAt = PurposeConsent.NoExpiry)
    {
        string key = ConsentKey(type, raw);
        await Store.ApplyAsync(new ConsentUpdate(key, KnownPurposes.IndexOf(purpose), granted, effective, "test", minor, expiresAt));
    }

    /// <summary>Processes a message, fetching consent on a miss like the engine does.</summary>
    public async Task<(ProcessStatus Status, Outcome[] Outcomes, QuarantineReason Reason)> ProcessAsync(InputKind kind, byte[] message)
    {
        var outcomes = new Outcome[Core.Plans.Count];
        for (int attempt = 0; attempt < 3; attempt++)
        {
            ProcessStatus status = Core.Process(kind, message, Sink, outcomes, out QuarantineReason reason, out string? key);
            if (status != ProcessStatus.NeedsConsent)
            {
                return (status, outcomes, reason);
            }

            await Cache.FetchAsync([key!]);
        }

        throw new InvalidOperationException("consent never became available");
    }

    public int PlanIndex(string purpose)
    {
        for (int i = 0; i < Core.Plans.Count; i++)
        {
            if (Core.Plans[i].Name == purpose)
            {
                return i;
            }
        }

        throw new ArgumentException(purpose);
    }

    public void Dispose()
    {
        Core.Dispose();
        Cache.Dispose();
        ConsentIndex.Dispose();
    }
}

internal sealed class RecordingSink : IMinimizedRecordSink
{
    public List<(string Purpose, string Topic, byte[] Key, byte[] Value)> Records { get; } = [];

    // The output schema of each purpose seen, by purpose name.
    private readonly Dictionary<string, string> _schemas = new(StringComparer.Ordinal);

    /// <summary>Recall escrow entries, in order: the plan's escrow topic, the key (its pseudonym) and the sealed value.</summary>
    public List<(string Topic, byte[] Key, byte[] Value)> Escrowed { get; } = [];

    public void Escrow(PurposePlan plan, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value) => Escrowed.Add((plan.EscrowTopic!, key.ToArray(), value.ToArray()));

    public void Forward(PurposePlan plan, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        _schemas[plan.Name] = plan.OutputSchema.Schema.Name;
        Records.Add((plan.Name, plan.ForwardTopic, key.ToArray(), value.ToArray()));
    }

    /// <summary>The <c>ReleaseCandidate</c> an anonymized purpose's record was handed to its release stage in.</summary>
    public GenericRecord Candidate(int index) => ApacheAvroBridge.ReadSingleObject(Records[index].Value, "ReleaseCandidate");

    /// <summary>
    /// The purpose record at <paramref name="index"/>; for an anonymized purpose, the output record inside its
    /// release candidate (whose subject is still the placeholder).
    /// </summary>
    public GenericRecord Decode(int index)
    {
        (string purpose, string topic, _, byte[] value) = Records[index];
        if (topic.Contains(".pending", StringComparison.Ordinal))
        {
            value = (byte[])Candidate(index)["record"];
        }

        return ApacheAvroBridge.ReadSingleObject(value, _schemas[purpose]);
    }

    public IEnumerable<(string Purpose, GenericRecord Record)> Decoded()
    {
        for (int i = 0; i < Records.Count; i++)
        {
            yield return (Records[i].Purpose, Decode(i));
        }
    }
}
