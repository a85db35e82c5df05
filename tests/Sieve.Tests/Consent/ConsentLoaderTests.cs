using System.Text;
using Confluent.Kafka;
using Sieve.Contracts.Avro;
using Sieve.Contracts.Identifiers;
using Sieve.Contracts.Pseudonymization;
using Sieve.Contracts.Purposes;
using Sieve.Contracts.Schemas;
using Sieve.Core.Consent;
using Sieve.Contracts.Records;
using Sieve.Testing.Codec;
using Sieve.Testing.Consent;

namespace Sieve.Tests.Consent;

/// <summary>
/// The loader and its translator. These use the real identifier normalizer and consent-index key (demo key ring),
/// so they need the pseudonymization implementation, not the outline.
/// </summary>
public class ConsentLoaderTests
{
    private const string Vin = "1M8GDM9AXKP042788";
    private const string VinWithBadCheckDigit = "1M8GDM9A1KP042788";
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);
    private static readonly int Positioning = KnownPurposes.IndexOf(KnownPurposes.Positioning);

    [Fact]
    public void A_change_becomes_an_update_keyed_by_the_consent_index_pseudonym()
    {
        var factory = new PseudonymKeyFactory(MasterKeyRing.CreateDemo());
        using PseudonymKey key = factory.Create(PseudonymKeyFactory.ConsentIndexPurpose, PseudonymKeyFactory.StableEpoch);
        var translator = new ConsentChangeTranslator(key);

        Assert.True(translator.TryTranslate(Encode(SubjectType.Vin, Vin, KnownPurposes.Marketing, true, 1_700_000_000_000, "2026.2", true), out ConsentUpdate update, out string? reason));

        Assert.Null(reason);
        Assert.Equal(ExpectedConsentKey(factory, SubjectType.Vin, Vin), update.ConsentKey);
        Assert.True(ConsentKeys.IsValid(update.ConsentKey));
        Assert.DoesNotContain(Vin, update.ConsentKey, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(KnownPurposes.IndexOf(KnownPurposes.Marketing), update.PurposeId);
        Assert.True(update.Granted);
        Assert.Equal(1_700_000_000_000, update.EffectiveTimeMillis);
        Assert.Equal("2026.2", update.PolicyVersion);
        Assert.True(update.Minor);
    }

    [Fact]
    public void A_grants_expiresAt_is_carried_into_the_update_and_a_withdrawals_is_dropped()
    {
        var factory = new PseudonymKeyFactory(MasterKeyRing.CreateDemo());
        using PseudonymKey key = factory.Create(PseudonymKeyFactory.ConsentIndexPurpose, PseudonymKeyFactory.StableEpoch);
        var translator = new ConsentChangeTranslator(key);

        Assert.True(translator.TryTranslate(Encode(SubjectType.Vin, Vin, KnownPurposes.Positioning, true, 1_700_000_000_000, "2026.2", false, expiresAt: 1_731_536_000_000), out ConsentUpdate grant, out _));
        Assert.Equal(1_731_536_000_000, grant.ExpiresAtMillis);
        Assert.True(translator.TryTranslate(Encode(SubjectType.Vin, Vin, KnownPurposes.Positioning, true, 1_700_000_000_000, "2026.2", false), out ConsentUpdate open, out _));
        Assert.Equal(PurposeConsent.NoExpiry, open.ExpiresAtMillis);
        Assert.True(translator.TryTranslate(Encode(SubjectType.Vin, Vin, KnownPurposes.Positioning, false, 1_700_000_000_000, "2026.2", false, expiresAt: 5), out ConsentUpdate withdrawal, out _));
        Assert.Equal(PurposeConsent.NoExpiry, withdrawal.ExpiresAtMillis);
    }

    [Fact]
    public void A_change_written_with_an_earlier_or_a_newer_schema_becomes_the_same_update()
    {
        var factory = new PseudonymKeyFactory(MasterKeyRing.CreateDemo());
        using PseudonymKey key = factory.Create(PseudonymKeyFactory.ConsentIndexPurpose, PseudonymKeyFactory.StableEpoch);
        SchemaInfo current = SchemaCatalog.Default.Get("ConsentChange");
        SchemaInfo earlier = EvolvedSchemas.Derive(current, "consent-without-minor.avsc", fields => fields.RemoveAt(fields.FindIndex(f => f["name"]!.GetValue<string>() == "minor")));
        SchemaInfo newer = EvolvedSchemas.Derive(current, "consent-with-channel.avsc", fields => fields.Insert(2,
            new System.Text.Json.Nodes.JsonObject { ["name"] = "channel", ["type"] = "string", ["default"] = "app" }));
        var translator = new ConsentChangeTranslator(key, writers: new Sieve.Contracts.Avro.Resolution.WriterSchemaSet(current, [earlier, newer]));
        var change = new ConsentChangeData { SubjectType = SubjectType.Vin, SubjectId = Vin, Purpose = KnownPurposes.Marketing, Granted = true, EffectiveTime = 1_700_000_000_000, PolicyVersion = "2026.2" };

        Assert.True(translator.TryTranslate(change.ToMessage(), out ConsentUpdate expected, out _));
        foreach (SchemaInfo writer in new[] { earlier, newer })
        {
            byte[] message = EvolvedSchemas.Message(writer, ApacheAvroBridge.ToGeneric(change), new Dictionary<string, object?> { ["channel"] = "dealer" });
            Assert.True(translator.TryTranslate(message, out ConsentUpdate update, out string? reason), writer.FileName + ": " + reason);
            Assert.Equal(expected, update);
        }
    }

    [Fact]
    public void Bad_changes_are_rejected_with_a_reason_code_that_holds_no_identifier()
    {
        var factory = new PseudonymKeyFactory(MasterKeyRing.CreateDemo());
        using PseudonymKey key = factory.Create(PseudonymKeyFactory.ConsentIndexPurpose, PseudonymKeyFactory.StableEpoch);
        var translator = new ConsentChangeTranslator(key);

        Assert.False(translator.TryTranslate([], out _, out string? reason));
        Assert.Equal(ConsentChangeTranslator.EmptyValueReason, reason);
        Assert.False(translator.TryTranslate([1, 2, 3], out _, out reason));
        Assert.Equal(AvroStatus.BadMarker.ToReasonCode(), reason);
        Assert.False(translator.TryTranslate(Encode(SubjectType.Vin, Vin, "telemetry-resale", true, 1, "v1", false), out _, out reason));
        Assert.Equal(ConsentChangeTranslator.UnknownPurposeReason, reason);
        Assert.False(translator.TryTranslate(Encode(SubjectType.Vin, VinWithBadCheckDigit, KnownPurposes.Positioning, true, 1, "v1", false), out _, out reason));
        Assert.Equal(IdentifierNormalizer.ToReasonCode(SubjectType.Vin, NormalizeStatus.InvalidChecksum), reason);
        Assert.DoesNotContain(VinWithBadCheckDigit, reason, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Loader_waits_out_a_store_outage_skips_nothing_valid_and_commits_after_writing()
    {
        var factory = new PseudonymKeyFactory(MasterKeyRing.CreateDemo());
        string consentKey = ExpectedConsentKey(factory, SubjectType.Vin, Vin);
        var store = new InMemoryConsentStore { IsAvailable = false };
        (IConsumer<Ignore, byte[]> consumer, FakeKafkaConsumer fake) = FakeKafkaConsumer.Create();
        fake.Enqueue(Encode(SubjectType.Vin, Vin, KnownPurposes.Positioning, true, 100, "v1", false));
        fake.Enqueue([1, 2, 3]);
        fake.Enqueue(Encode(SubjectType.Vin, Vin, KnownPurposes.Positioning, false, 200, "v1", false));
        fake.Enqueue(Encode(SubjectType.Vin, Vin, "telemetry-resale", true, 300, "v1", false));
        fake.Enqueue(Encode(SubjectType.Vin, VinWithBadCheckDigit, KnownPurposes.Positioning, true, 300, "v1", false));
        fake.CommitTarget = 5;
        var stateAtCommits = new List<ConsentState>();
        fake.OnCommit = _ => stateAtCommits.Add(store.GetAsync(consentKey).GetAwaiter().GetResult().GetPurpose(Positioning).State);

        var options = new ConsentLoaderOptions { RetryInitialDelay = TimeSpan.FromMilliseconds(1), RetryMaxDelay = TimeSpan.FromMilliseconds(5) };
        var loader = new ConsentLoader(options, store, factory, null, null, _ => consumer);
        using var stop = new CancellationTokenSource();
        Task run = loader.RunAsync(stop.Token);

        await fake.Paused.Task.WaitAsync(Guard);
        Assert.Empty(fake.Commits);
        store.IsAvailable = true;
        long committed = await fake.CommittedThrough.Task.WaitAsync(Guard);
        await stop.CancelAsync();
        await run.WaitAsync(Guard);

        Assert.Equal(5, committed);
        Assert.True(fake.Resumed.Task.IsCompleted);
        Assert.All(stateAtCommits, s => Assert.Equal(ConsentState.Withdrawn, s));
        Assert.Equal(new PurposeConsent(ConsentState.Withdrawn, 200, "v1"), (await store.GetAsync(consentKey)).GetPurpose(Positioning));
        Assert.Equal(2, loader.Applied);
        Assert.Equal(3, loader.Rejected);
        Assert.True(loader.StoreRetries >= 1);
        IReadOnlyDictionary<string, long> reasons = loader.RejectedByReason;
        Assert.Equal(1, reasons[AvroStatus.BadMarker.ToReasonCode()]);
        Assert.Equal(1, reasons[ConsentChangeTranslator.UnknownPurposeReason]);
        Assert.Equal(1, reasons[IdentifierNormalizer.ToReasonCode(SubjectType.Vin, NormalizeStatus.InvalidChecksum)]);
    }

    [Fact]
    public async Task Poison_changes_are_rejected_by_reason_and_a_grant_dated_in_year_9999_can_never_freeze_consent()
    {
        var factory = new PseudonymKeyFactory(MasterKeyRing.CreateDemo());
        string consentKey = ExpectedConsentKey(factory, SubjectType.Vin, Vin);
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(1_800_000_000_000));
        long now = time.GetUtcNow().ToUnixTimeMilliseconds();
        long year9999 = new DateTimeOffset(9999, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
        var store = new InMemoryConsentStore();
        (IConsumer<Ignore, byte[]> consumer, FakeKafkaConsumer fake) = FakeKafkaConsumer.Create();
        fake.Enqueue(Encode(SubjectType.Vin, Vin, KnownPurposes.Positioning, true, now - 1000, "v1", false));
        fake.Enqueue([0xC3, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02]);
        fake.Enqueue(Encode(SubjectType.Vin, Vin, "analytics-resale", true, now, "v1", false));
        fake.Enqueue(Encode(SubjectType.Vin, new string('A', 1 << 20), KnownPurposes.Positioning, true, now, "v1", false));
        fake.Enqueue(Encode(SubjectType.Vin, Vin, KnownPurposes.Positioning, true, year9999, "v1", false));
        fake.Enqueue(Encode(SubjectType.Vin, Vin, KnownPurposes.Positioning, false, year9999, "v1", false));
        fake.Enqueue(Encode(SubjectType.Vin, Vin, KnownPurposes.Positioning, true, now + 1000, "v1", false));
        fake.CommitTarget = 7;

        var loader = new ConsentLoader(new ConsentLoaderOptions(), store, factory, null, time, _ => consumer);
        using var stop = new CancellationTokenSource();
        Task run = loader.RunAsync(stop.Token);
        long committed = await fake.CommittedThrough.Task.WaitAsync(Guard);
        await stop.CancelAsync();
        await run.WaitAsync(Guard);

        // Nothing stalled: every poison record was rejected by reason, and the valid changes after them applied. The
        // year-9999 grant was refused and the year-9999 withdrawal counted as of now, so the grant a second later wins.
        Assert.Equal(7, committed);
        Assert.Equal(3, loader.Applied);
        IReadOnlyDictionary<string, long> reasons = loader.RejectedByReason;
        Assert.Equal(1, reasons[AvroStatus.UnknownFingerprint.ToReasonCode()]);
        Assert.Equal(1, reasons[ConsentChangeTranslator.UnknownPurposeReason]);
        Assert.Equal(1, reasons[AvroStatus.LengthTooLarge.ToReasonCode()]);
        Assert.Equal(1, reasons[ConsentChangeTranslator.GrantInFutureReason]);
        Assert.Equal(new PurposeConsent(ConsentState.Granted, now + 1000, "v1"), (await store.GetAsync(consentKey)).GetPurpose(Positioning));
    }

    [Fact]
    public async Task A_tombstone_is_skipped_without_a_rejection_and_an_older_grant_replayed_after_an_erasure_leaves_the_subject_withheld()
    {
        var factory = new PseudonymKeyFactory(MasterKeyRing.CreateDemo());
        string consentKey = ExpectedConsentKey(factory, SubjectType.Vin, Vin);
        var store = new InMemoryConsentStore();
        Assert.True(await store.ApplyAsync(Update(factory, Encode(SubjectType.Vin, Vin, KnownPurposes.Positioning, true, 200, "v1", false))));
        Assert.True(await store.MarkErasedAsync(consentKey));
        (IConsumer<Ignore, byte[]> consumer, FakeKafkaConsumer fake) = FakeKafkaConsumer.Create();
        fake.Enqueue(null);
        fake.Enqueue(Encode(SubjectType.Vin, Vin, KnownPurposes.Positioning, true, 100, "v1", false));
        fake.Enqueue(Encode(SubjectType.Vin, Vin, KnownPurposes.Positioning, true, 300, "v1", false));
        fake.CommitTarget = 3;

        var loader = new ConsentLoader(new ConsentLoaderOptions(), store, factory, null, null, _ => consumer);
        using var stop = new CancellationTokenSource();
        Task run = loader.RunAsync(stop.Token);
        long committed = await fake.CommittedThrough.Task.WaitAsync(Guard);
        await stop.CancelAsync();
        await run.WaitAsync(Guard);

        Assert.Equal(3, committed);
        Assert.Equal((1L, 0L, 2L), (loader.Tombstones, loader.Rejected, loader.Stored));
        ConsentRecord record = await store.GetAsync(consentKey);
        Assert.True(record.Erased);
        Assert.Equal(ConsentDecision.WithheldErased, ConsentRules.DecideForAllTimes(record, Positioning, true, ConsentRules.NoMaxAge, out _, out _));
    }

    private static ConsentUpdate Update(PseudonymKeyFactory factory, byte[] message)
    {
        using PseudonymKey key = factory.Create(PseudonymKeyFactory.ConsentIndexPurpose, PseudonymKeyFactory.StableEpoch);
        Assert.True(new ConsentChangeTranslator(key).TryTranslate(message, out ConsentUpdate update, out string? reason), reason);
        return update;
    }

    [Fact]
    public async Task Stopping_during_an_outage_commits_nothing()
    {
        var factory = new PseudonymKeyFactory(MasterKeyRing.CreateDemo());
        var store = new InMemoryConsentStore { IsAvailable = false };
        (IConsumer<Ignore, byte[]> consumer, FakeKafkaConsumer fake) = FakeKafkaConsumer.Create();
        fake.Enqueue(Encode(SubjectType.Vin, Vin, KnownPurposes.Positioning, false, 100, "v1", false));
        var loader = new ConsentLoader(new ConsentLoaderOptions(), store, factory, null, null, _ => consumer);
        using var stop = new CancellationTokenSource();
        Task run = loader.RunAsync(stop.Token);

        await fake.Paused.Task.WaitAsync(Guard);
        await stop.CancelAsync();
        await run.WaitAsync(Guard);

        Assert.Empty(fake.Commits);
        Assert.Equal(0, loader.Applied);
        Assert.Equal(0, store.Count);
    }

    private static string ExpectedConsentKey(PseudonymKeyFactory factory, SubjectType type, string raw)
    {
        Span<byte> normalized = stackalloc byte[IdentifierNormalizer.MaxNormalizedLength];
        Assert.Equal(NormalizeStatus.Ok, IdentifierNormalizer.TryNormalize(type, Encoding.UTF8.GetBytes(raw), normalized, out int written, out _));
        using PseudonymKey key = factory.Create(PseudonymKeyFactory.ConsentIndexPurpose, PseudonymKeyFactory.StableEpoch);
        Span<byte> pseudonym = stackalloc byte[PseudonymKey.PseudonymLength];
        key.Compute(type, normalized[..written], pseudonym);
        return Encoding.ASCII.GetString(pseudonym);
    }

    private static byte[] Encode(SubjectType type, string subjectId, string purpose, bool granted, long effectiveTime, string policyVersion, bool minor, long? expiresAt = null)
    {
        Span<byte> buffer = new byte[512 + (subjectId.Length * 3)];
        var writer = new AvroWriter(buffer);
        SingleObjectEncoding.WriteHeader(ref writer, SchemaFingerprints.ConsentChange);
        writer.WriteInt((int)type);
        writer.WriteString(subjectId);
        writer.WriteString(purpose);
        writer.WriteBoolean(granted);
        writer.WriteLong(effectiveTime);
        writer.WriteString(policyVersion);
        writer.WriteBoolean(minor);
        if (expiresAt is long expires)
        {
            writer.WriteUnionIndex(1);
            writer.WriteLong(expires);
        }
        else
        {
            writer.WriteUnionIndex(0);
        }

        Assert.False(writer.Overflowed);
        return writer.Written.ToArray();
    }
}
