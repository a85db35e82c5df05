using Sieve.Core.Privacy;
using System.Text;
using Confluent.Kafka;
using Sieve.Contracts.Identifiers;
using Sieve.Contracts.Pseudonymization;
using Sieve.Contracts.Records;
using Sieve.Core.Consent;
using Sieve.Core.Erasure;
using Sieve.Core.Pipeline;
using Sieve.Core.Policy;
using Sieve.Testing.Erasure;
using Sieve.Testing.Harness;
using Sieve.Testing.Metrics;
using Sieve.Testing.Privacy;
using Sieve.Testing.Sink;
using Sieve.Testing;

namespace Sieve.IntegrationTests.Erasure;

[Collection(KafkaCollection.Name)]
public sealed class ErasureTests(KafkaFixture kafka)
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);
    // The purposes with keyed pseudonyms; anonymized analytics has none that lead back to a subject.
    private static readonly string[] Purposes = ["positioning", "personalization"];
    private const string RequestId = "req-7f3a9c41";

    [Fact]
    public async Task An_erasure_request_withholds_the_subject_everywhere_notices_every_pseudonym_and_empties_their_lake_rows_only()
    {
        using var records = new MinimizedRecords(seed: 5);
        string victim = await records.ConsentingVehicleAsync();
        string other = await records.ConsentingVehicleAsync();
        string visitor = await records.ConsentingVisitorAsync();
        await records.DriveAsync(victim, 6);
        await records.DriveAsync(victim, 6, MinimizedRecords.Start + 86_400_000); // a second day: another analytics pseudonym
        await records.DriveAsync(other, 8);
        await records.VisitAsync(visitor, 4);

        await using ErasureTestBed bed = await ErasureTestBed.CreateAsync(kafka, "erasure.user");
        await bed.Sink.ProduceAsync(records.Records);
        SubjectPseudonyms.Derived pseudonyms = bed.Derive(SubjectType.Vin, victim);
        await using RunningSink sink = bed.Sink.Start();
        await sink.WaitUntilLandedAsync(Limit);

        Dictionary<string, long> victimBefore = Purposes.ToDictionary(p => p, p => VictimRows(bed, p, pseudonyms));
        Assert.All(victimBefore.Values, n => Assert.True(n > 0));
        Dictionary<(string, string), long> othersBefore = OtherRows(bed, pseudonyms);

        using var metrics = new MetricsRecorder(bed.Sink.Metrics.Meter);
        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        bed.StartWorker();
        // A request whose request id is the subject's identifier is quarantined with a reason, and gets no receipt.
        DeliveryResult<byte[], byte[]> identifierAsId = await bed.ProduceAsync(bed.Options.RequestsTopic, Encoding.UTF8.GetBytes("r-bad-id"),
            ErasureCodec.EncodeRequest(new ErasureRequest(SubjectType.Vin, victim, victim.ToLowerInvariant(), ErasureReason.UserRequest, bed.Clock.GetUtcNow())));
        await bed.ProduceAsync(bed.Options.RequestsTopic, Encoding.UTF8.GetBytes("r-bad"),
            ErasureCodec.EncodeRequest(new ErasureRequest(SubjectType.Vin, "NOT-A-VIN", "r-bad", ErasureReason.UserRequest, bed.Clock.GetUtcNow())));
        await bed.ProduceAsync(bed.Options.RequestsTopic, Encoding.UTF8.GetBytes(RequestId),
            ErasureCodec.EncodeRequest(new ErasureRequest(SubjectType.Vin, victim, RequestId, ErasureReason.UserRequest, bed.Clock.GetUtcNow())));

        ErasureReceipt rejected = await bed.NextReceiptAsync(0);
        Assert.Equal(("r-bad", ErasureStatus.Rejected), (rejected.RequestId, rejected.Status));
        Assert.StartsWith("invalid-vin", rejected.Detail, StringComparison.Ordinal);
        ErasureReceipt receipt = await bed.NextReceiptAsync(1);
        double elapsedMs = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        Assert.Equal((RequestId, ErasureStatus.Completed, ErasureReason.UserRequest), (receipt.RequestId, receipt.Status, receipt.Reason));
        Assert.NotNull(receipt.MarkedAt);
        Assert.InRange(receipt.MarkedAt.Value, receipt.RequestedAt, receipt.CompletedAt);

        ConsumeResult<byte[], byte[]> quarantined = Assert.Single(await KafkaTestClient.ConsumeExactlyAsync(kafka.BootstrapServers, bed.Options.QuarantineTopic, 1, Limit));
        Avro.Generic.GenericRecord q = Sieve.Testing.Codec.ApacheAvroBridge.ReadSingleObject(quarantined.Message.Value, "QuarantineRecord");
        Assert.Equal((identifierAsId.Topic, identifierAsId.Offset.Value), ((string)q["sourceTopic"], (long)q["offset"]));
        Assert.Equal(ErasureRequestId.IdentifierCode, (string)q["reasonCode"]);
        Assert.Contains("request id", (string)q["detail"], StringComparison.Ordinal);
        RawIdentifierScanner.For([victim]).AssertClean(quarantined.Message.Value, "quarantine record of a bad request id");

        // Metrics: one completed and one rejected request; the mark took some of the completion time, which took
        // at most what the test saw; the rows removed are the receipt's.
        Assert.Equal(1, metrics.Sum("sieve.sink.erasure.requests", "status", "Completed"));
        Assert.Equal(1, metrics.Sum("sieve.sink.erasure.requests", "status", "Rejected"));
        Assert.All(metrics.Of("sieve.sink.erasure.requests"), m => Assert.Equal("UserRequest", m.Tags["reason"]));
        (double mark, _) = Assert.Single(metrics.Of("sieve.sink.erasure.mark.duration"));
        (double completion, _) = Assert.Single(metrics.Of("sieve.sink.erasure.duration"));
        Assert.True(mark > 0, "mark duration " + mark);
        Assert.InRange(completion, mark, elapsedMs);

        // (1) The consent store holds the mark, and a minimizer reading it forwards nothing of theirs to any purpose.
        Assert.True((await bed.Store.GetAsync(pseudonyms.ConsentKey)).Erased);
        using (var cache = new ConsentCache(bed.Store))
        using (var core = new MinimizerCore(PolicyLoader.LoadDefault(), bed.Keys, cache))
        {
            Outcome[] victims = await ProcessAsync(core, cache, Event(victim));
            for (int i = 0; i < victims.Length; i++)
            {
                // Erasure wins over every basis; marketing takes no telematics at all.
                Assert.Equal(core.Plans[i].TakesTelematics ? Outcome.WithheldErased : Outcome.WithheldNotApplicable, victims[i]);
            }

            // The other vehicle's grants are not in this store, so only analytics and quality (no consent needed) take it.
            Outcome[] others = await ProcessAsync(core, cache, Event(other));
            Assert.DoesNotContain(Outcome.WithheldErased, others);
            Assert.Equal(Outcome.HeldForRelease, others[core.Plans.ToList().FindIndex(p => p.Name == "analytics")]);
            Assert.Equal(Outcome.Forwarded, others[core.Plans.ToList().FindIndex(p => p.Name == "quality")]);
        }

        // (4) Their rows are gone from every purpose, the receipt counts them, and nobody else's rows changed.
        foreach (string purpose in Purposes)
        {
            Assert.Equal(0, VictimRows(bed, purpose, pseudonyms));
            PurposeErasure done = Assert.Single(receipt.Purposes, p => p.Purpose == purpose);
            Assert.Equal(victimBefore[purpose], done.RowsRemoved);
            Assert.True(done.FilesRewritten > 0);
            Assert.Equal(done.RowsRemoved, metrics.Sum("sieve.sink.erasure.rows_removed", "purpose", purpose));
        }

        Assert.Equal(othersBefore, OtherRows(bed, pseudonyms));

        // (3) One notice per pseudonym, keyed by it; the receipt too is published. Anonymized analytics rows carry random
        // segment pseudonyms: no key leads from the subject to them, so there is nothing of theirs to notice or remove.
        int expectedNotices = pseudonyms.ByPurpose.Values.Sum(l => l.Count);
        Assert.Empty(pseudonyms.ByPurpose["analytics"]);
        Assert.Equal(0, Assert.Single(receipt.Purposes, p => p.Purpose == "analytics").RowsRemoved);
        List<ConsumeResult<byte[], byte[]>> notices = await KafkaTestClient.ConsumeExactlyAsync(kafka.BootstrapServers, bed.Options.NoticesTopic, expectedNotices, Limit);
        var noticed = new HashSet<(string, string)>();
        var noticeIds = new HashSet<string>(StringComparer.Ordinal);
        byte[] requestIdBytes = Encoding.UTF8.GetBytes(RequestId);
        foreach (ConsumeResult<byte[], byte[]> message in notices)
        {
            Assert.True(ErasureCodec.TryDecodeNotice(message.Message.Value, out ErasureNotice? notice, out _));
            Assert.Equal(notice.Subject, Encoding.ASCII.GetString(message.Message.Key));
            noticed.Add((notice.Purpose, notice.Subject));

            // Nothing links the notices of one request: each has its own random id, none quotes the request id,
            // and their Kafka timestamps say only the day.
            Assert.True(ErasureNoticeId.IsWellFormed(notice.NoticeId), notice.NoticeId);
            Assert.True(noticeIds.Add(notice.NoticeId), "notice id repeated");
            Assert.Equal(-1, message.Message.Value.AsSpan().IndexOf(requestIdBytes));
            Assert.Equal(TimeSpan.Zero, message.Message.Timestamp.UtcDateTime.TimeOfDay);
        }

        foreach ((string purpose, IReadOnlyList<PurposePseudonym> list) in pseudonyms.ByPurpose)
        {
            Assert.All(list, p => Assert.Contains((purpose, p.Pseudonym), noticed));
        }

        List<ConsumeResult<byte[], byte[]>> receipts = await KafkaTestClient.ConsumeExactlyAsync(kafka.BootstrapServers, bed.Options.ReceiptsTopic, 2, Limit);
        Assert.Equal(["r-bad", RequestId], receipts.Select(r => Encoding.UTF8.GetString(r.Message.Key)).Order(StringComparer.Ordinal));
        RawIdentifierScanner scanner = RawIdentifierScanner.For([victim, "NOT-A-VIN"]);
        foreach (ConsumeResult<byte[], byte[]> message in receipts.Concat(notices))
        {
            scanner.AssertClean(message.Message.Key ?? [], "erasure output key");
            scanner.AssertClean(message.Message.Value, "erasure output value");
        }

        // A record of theirs still in the topic (forwarded before the mark) is dropped when it arrives at the sink.
        (string purpose0, string topic0, byte[] key0, byte[] value0) = records.Records.First(r => r.Purpose == "positioning"
            && Encoding.ASCII.GetString(r.Key) == pseudonyms.ByPurpose["positioning"][0].Pseudonym);
        await bed.Sink.ProduceAsync([(purpose0, topic0, key0, value0)]);
        await sink.WaitUntilLandedAsync(Limit);
        Assert.Equal(0, VictimRows(bed, "positioning", pseudonyms));
        Assert.Equal(1, sink.Engine.DroppedErased);

        // A sink starting later learns every erased pseudonym from the notices before it lands anything.
        var learned = new ErasedSubjects();
        using var stopFollower = new CancellationTokenSource();
        Task follower = new NoticeFollower(bed.Options, learned, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance).RunAsync(stopFollower.Token);
        Assert.Same(learned.Ready, await Task.WhenAny(learned.Ready, follower, Task.Delay(Limit)));
        Assert.Equal(expectedNotices, learned.Count);
        Assert.True(learned.Contains("personalization", pseudonyms.ByPurpose["personalization"][^1].Pseudonym));
        await stopFollower.CancelAsync();
        await follower;
    }

    [Fact]
    public async Task A_consent_change_flagging_a_minor_erases_them_like_a_request()
    {
        using var records = new MinimizedRecords(seed: 6);
        string minor = await records.ConsentingVehicleAsync();
        string other = await records.ConsentingVehicleAsync();
        await records.DriveAsync(minor, 5);
        await records.DriveAsync(other, 5);

        await using ErasureTestBed bed = await ErasureTestBed.CreateAsync(kafka, "erasure.minor");
        await bed.Sink.ProduceAsync(records.Records);
        SubjectPseudonyms.Derived pseudonyms = bed.Derive(SubjectType.Vin, minor);
        await using RunningSink sink = bed.Sink.Start();
        await sink.WaitUntilLandedAsync(Limit);
        Dictionary<(string, string), long> othersBefore = OtherRows(bed, pseudonyms);
        Assert.True(VictimRows(bed, "personalization", pseudonyms) > 0);

        bed.StartWorker();
        var change = new ConsentChangeData
        {
            SubjectType = SubjectType.Vin,
            SubjectId = minor,
            Purpose = "positioning",
            Granted = false,
            EffectiveTime = MinimizedRecords.Start,
            PolicyVersion = "2026-11-01",
            Minor = true,
        };
        await bed.ProduceAsync(bed.Options.ConsentChangesTopic, change.MessageKey(), change.ToMessage());
        ErasureReceipt receipt = await bed.NextReceiptAsync(0);

        Assert.Equal((ErasureReason.Minor, ErasureStatus.Completed), (receipt.Reason, receipt.Status));
        Assert.StartsWith(ErasureRequestId.ReservedPrefix, receipt.RequestId, StringComparison.Ordinal);
        Assert.True((await bed.Store.GetAsync(pseudonyms.ConsentKey)).Erased);
        foreach (string purpose in Purposes)
        {
            Assert.Equal(0, VictimRows(bed, purpose, pseudonyms));
        }

        Assert.True(receipt.Purposes.Sum(p => p.RowsRemoved) > 0);
        Assert.Equal(othersBefore, OtherRows(bed, pseudonyms));

        // No request names the erasure: the consent change that flagged the minor does, so it is the subject's on its
        // page, and only that subject's. Another subject's ordinary change and a third subject's minor flag are on
        // the topic too.
        string third = await records.ConsentingVehicleAsync();
        ConsentChangeData Change(string subject, bool isMinor, long effective) => new()
        {
            SubjectType = SubjectType.Vin,
            SubjectId = subject,
            Purpose = "positioning",
            Granted = !isMinor,
            EffectiveTime = effective,
            PolicyVersion = "2026-11-01",
            Minor = isMinor,
        };
        ConsentChangeData ordinary = Change(other, isMinor: false, MinimizedRecords.Start);
        await bed.ProduceAsync(bed.Options.ConsentChangesTopic, ordinary.MessageKey(), ordinary.ToMessage());
        ConsentChangeData thirdChange = Change(third.ToLowerInvariant(), isMinor: true, MinimizedRecords.Start);
        await bed.ProduceAsync(bed.Options.ConsentChangesTopic, thirdChange.MessageKey(), thirdChange.ToMessage());
        var config = new ConsumerConfig { BootstrapServers = bed.Options.BootstrapServers };
        foreach (KeyValuePair<string, string> pair in bed.Options.KafkaProperties)
        {
            config.Set(pair.Key, pair.Value);
        }

        IReadOnlySet<string> ofMinor = MinorErasures.RequestIdsOf(config, bed.Options.ConsentChangesTopic, (t, id) => t == SubjectType.Vin && id == minor, Limit, default);
        Assert.Equal([receipt.RequestId], ofMinor);
        Assert.Empty(MinorErasures.RequestIdsOf(config, bed.Options.ConsentChangesTopic, (_, id) => id == other, Limit, default));
        IReadOnlySet<string> ofThird = MinorErasures.RequestIdsOf(config, bed.Options.ConsentChangesTopic, (_, id) => id == third.ToLowerInvariant(), Limit, default);
        Assert.DoesNotContain(Assert.Single(ofThird), ofMinor);
        static bool NoRequest(ErasureRequest _) => false;
        ErasureStatusEntry entry = Assert.Single(ErasureLedger.Read(config, bed.Options.ReceiptsTopic, bed.Options.RequestsTopic, Limit, default, NoRequest, ofMinor).Entries);
        Assert.Equal((receipt.RequestId, ErasureReason.Minor, ErasureState.Completed), (entry.RequestId, entry.Reason, entry.State));
        Assert.Empty(ErasureLedger.Read(config, bed.Options.ReceiptsTopic, bed.Options.RequestsTopic, Limit, default, NoRequest).Entries);

        // The console's index finds the same by consent key, whatever the spelling in the change, and reads only
        // what is new at its next look.
        string KeyOf(SubjectType type, string id)
        {
            using PseudonymKey key = bed.Keys.Create(PseudonymKeyFactory.ConsentIndexPurpose, PseudonymKeyFactory.StableEpoch);
            return key.ComputeString(type, id);
        }

        var index = new Sieve.Commands.PrivacyConsole.MinorErasureIndex(config, bed.Options.ConsentChangesTopic, Limit,
            (type, id) => IdentifierNormalizer.TryNormalize(type, id, out string normalized) == NormalizeStatus.Ok ? KeyOf(type, normalized) : null);
        Assert.Equal(ofMinor, index.Of(KeyOf(SubjectType.Vin, minor)));
        Assert.Equal(ofThird, index.Of(KeyOf(SubjectType.Vin, third)));
        Assert.Empty(index.Of(KeyOf(SubjectType.Vin, other)));
        ConsentChangeData again = Change(minor, isMinor: true, MinimizedRecords.Start + 1);
        DeliveryResult<byte[], byte[]> later = await bed.ProduceAsync(bed.Options.ConsentChangesTopic, again.MessageKey(), again.ToMessage());
        Assert.Equal(ofMinor.Append(ErasureRequestId.ForMinor(later.Partition.Value, later.Offset.Value)).ToHashSet(), index.Of(KeyOf(SubjectType.Vin, minor)));
    }


    [Fact]
    public async Task An_erasure_tombstones_every_consent_key_of_the_subject_and_an_older_decision_replayed_after_it_leaves_them_withheld()
    {
        const string Vin = "1M8GDM9AXKP042788";
        await using ErasureTestBed bed = await ErasureTestBed.CreateAsync(kafka, "erasure.tombstones");
        string topic = bed.Options.ConsentChangesTopic;
        var grant = new ConsentChangeData
        {
            SubjectType = SubjectType.Vin,
            SubjectId = Vin,
            Purpose = "positioning",
            Granted = true,
            EffectiveTime = bed.Clock.GetUtcNow().AddDays(-1).ToUnixTimeMilliseconds(),
            PolicyVersion = "2026-11-01",
        };
        await bed.ProduceAsync(topic, grant.MessageKey(), grant.ToMessage());

        var options = new ConsentLoaderOptions { BootstrapServers = kafka.BootstrapServers, Topic = topic, GroupId = kafka.UniqueGroup("consent-loader") };
        foreach (KeyValuePair<string, string> pair in bed.Options.KafkaProperties)
        {
            options.ConsumerSettings[pair.Key] = pair.Value;
        }

        var loader = new ConsentLoader(options, bed.Store, bed.Keys);
        using var stop = new CancellationTokenSource();
        Task loading = loader.RunAsync(stop.Token);
        string consentKey = bed.Derive(SubjectType.Vin, Vin).ConsentKey;
        int positioning = Sieve.Contracts.Purposes.KnownPurposes.IndexOf("positioning");
        await Sieve.Testing.EndToEnd.Eventually.UntilAsync(() => loader.Applied == 1, Limit, () => $"the grant applied ({loader.Applied} applied, {loader.Rejected} rejected)",
            () => Assert.False(loading.IsFaulted));
        Assert.Equal(ConsentDecision.Forward, Decide(await bed.Store.GetAsync(consentKey), positioning));

        ErasureReceipt receipt = await bed.Executor.ExecuteAsync(new ErasureRequest(SubjectType.Vin, Vin.ToLowerInvariant(), "req-tombstones", ErasureReason.UserRequest, bed.Clock.GetUtcNow()));
        Assert.Equal(ErasureStatus.Completed, receipt.Status);

        // One tombstone (null value) per declared purpose, keyed as the subject's decisions are (the normalized VIN,
        // and the lower-case spelling the request used): the grant's key among them, so compaction drops it.
        int purposes = Sieve.Contracts.Purposes.KnownPurposes.Count;
        List<ConsumeResult<byte[], byte[]>> messages = await KafkaTestClient.ConsumeExactlyAsync(kafka.BootstrapServers, topic, 1 + (2 * purposes), Limit);
        List<ConsumeResult<byte[], byte[]>> tombstones = messages.Skip(1).ToList();
        Assert.All(tombstones, m => Assert.Null(m.Message.Value));
        string[] expected = [.. new[] { Vin, Vin.ToLowerInvariant() }.SelectMany(id => Sieve.Contracts.Purposes.KnownPurposes.All.Select(p => "VIN/" + id + "/" + p))];
        Assert.Equal(expected.Order(StringComparer.Ordinal), tombstones.Select(m => Encoding.UTF8.GetString(m.Message.Key)).Order(StringComparer.Ordinal));
        Assert.Contains(tombstones, m => m.Message.Key.AsSpan().SequenceEqual(grant.MessageKey()));
        Assert.Equal(grant.MessageKey(), messages[0].Message.Key);
        Assert.NotNull(messages[0].Message.Value);

        // The loader skips the tombstones without rejecting them, and the older grant replayed after them (as a
        // consumer reading the topic from the start before compaction would) cannot lift the erased mark.
        await bed.ProduceAsync(topic, grant.MessageKey(), grant.ToMessage());
        await Sieve.Testing.EndToEnd.Eventually.UntilAsync(() => loader.Tombstones == 2 * purposes && loader.Stored == 2, Limit,
            () => $"tombstones and the replay read ({loader.Tombstones} tombstones, {loader.Stored} stored, {loader.Rejected} rejected)", () => Assert.False(loading.IsFaulted));
        Assert.Equal(0, loader.Rejected);
        ConsentRecord record = await bed.Store.GetAsync(consentKey);
        Assert.True(record.Erased);
        Assert.Equal(ConsentDecision.WithheldErased, Decide(record, positioning));

        await stop.CancelAsync();
        await loading;
    }

    private static ConsentDecision Decide(ConsentRecord record, int purposeId) =>
        ConsentRules.DecideForAllTimes(record, purposeId, consentRequired: true, ConsentRules.NoMaxAge, out _, out _);

    private static long VictimRows(ErasureTestBed bed, string purpose, SubjectPseudonyms.Derived pseudonyms) =>
        LakeQuery.Scalar("SELECT count(*) FROM " + LakeQuery.Purpose(bed.Sink.Root, purpose) + " WHERE subject IN ("
            + string.Join(",", pseudonyms.ByPurpose[purpose].Select(p => "'" + p.Pseudonym + "'")) + ")");

    private static Dictionary<(string, string), long> OtherRows(ErasureTestBed bed, SubjectPseudonyms.Derived pseudonyms)
    {
        var result = new Dictionary<(string, string), long>();
        foreach (string purpose in Purposes)
        {
            var erased = pseudonyms.ByPurpose[purpose].Select(p => p.Pseudonym).ToHashSet();
            foreach (object?[] row in LakeQuery.Rows("SELECT subject, count(*) FROM " + LakeQuery.Purpose(bed.Sink.Root, purpose) + " GROUP BY subject"))
            {
                if (!erased.Contains((string)row[0]!))
                {
                    result[(purpose, (string)row[0]!)] = Convert.ToInt64(row[1], System.Globalization.CultureInfo.InvariantCulture);
                }
            }
        }

        Assert.NotEmpty(result);
        return result;
    }

    private static byte[] Event(string vin) => new TelematicsEventData
    {
        EventId = "after-" + Guid.NewGuid().ToString("N"),
        Vin = vin,
        DeviceId = "490154203237518",
        EventTime = MinimizedRecords.Start + 3_600_000,
        Location = new GeoLocationData(31.2, 121.4, 30f, 10f),
        Status = new VehicleStatusData(1000, 50f, 12.5f, true),
    }.ToMessage();

    private static async Task<Outcome[]> ProcessAsync(MinimizerCore core, ConsentCache cache, byte[] message)
    {
        var outcomes = new Outcome[core.Plans.Count];
        for (int attempt = 0; attempt < 3; attempt++)
        {
            ProcessStatus status = core.Process(InputKind.Telematics, message, null, outcomes, out _, out string? key);
            if (status == ProcessStatus.Processed)
            {
                return outcomes;
            }

            Assert.Equal(ProcessStatus.NeedsConsent, status);
            await cache.FetchAsync([key!]);
        }

        throw new InvalidOperationException("consent never became available");
    }
}
