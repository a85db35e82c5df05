using System.Text;
using Confluent.Kafka;
using Sieve.Contracts;
using Sieve.Contracts.Identifiers;
using Sieve.Contracts.Pseudonymization;
using Sieve.Contracts.Purposes;
using Sieve.Core.Privacy;
using Sieve.Core.Recall;
using Sieve.Embedded;
using Sieve.Testing.Cli;
using Sieve.Testing.Harness;
using Sieve.Testing.Privacy;

namespace Sieve.IntegrationTests.Cli;

/// <summary>
/// The recall flow on a mock Kafka: escrow entries as the Minimizer seals them, then keygen, operator keys, request,
/// approvals and resolve through the command line, with the VINs only in the 0600 file and one audit record per attempt.
/// </summary>
public sealed class RecallResolveCommandTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private static readonly string[] EscrowedVins = ["LSVAU218XN2183294", "1M8GDM9AXKP042788", "WDB1240821A123456"];
    private const string NotRequestedVin = "JH4KA7561PC008269";

    private readonly MockKafkaCluster _cluster = MockKafkaCluster.Start();
    private readonly string _dir = Directory.CreateTempSubdirectory("sieve-recall-").FullName;
    private readonly MasterKeyRing _ring = MasterKeyRing.CreateDemo();

    private string PathOf(string name) => Path.Combine(_dir, name);

    private string Pseudonym(string purpose, string vin)
    {
        using PseudonymKey key = new PseudonymKeyFactory(_ring).Create(purpose, PseudonymKeyFactory.StableEpoch);
        return key.ComputeString(SubjectType.Vin, vin);
    }

    /// <summary>Recall key, three operators (alice and bob registered, mallory not), escrow entries for four VINs.</summary>
    private async Task SetUpAsync()
    {
        Ok(await CliRunner.RunAsync("recall", "keygen", "--id", "recall-test", "--out", PathOf("recall-key.json")));
        Directory.CreateDirectory(PathOf("approvers"));
        Directory.CreateDirectory(PathOf("keys"));
        foreach (string op in new[] { "alice", "bob", "mallory" })
        {
            Ok(await CliRunner.RunAsync("recall", "operator-key", "--operator", op, "--out", PathOf("keys")));
            if (op != "mallory")
            {
                File.Copy(PathOf($"keys/{op}.pub.pem"), PathOf($"approvers/{op}.pub.pem"));
            }
        }

        RecallKey key = RecallKey.Load(PathOf("recall-key.json"));
        using var sealer = new EscrowSealer(key);
        var messages = new List<Message<byte[], byte[]>>();
        foreach (string vin in EscrowedVins.Append(NotRequestedVin))
        {
            string pseudonym = Pseudonym(KnownPurposes.Quality, vin);
            byte[] value = new byte[EscrowSealer.MaxValueBytes];
            int written = sealer.Seal(Encoding.ASCII.GetBytes(pseudonym), Encoding.UTF8.GetBytes(vin), value);
            messages.Add(new Message<byte[], byte[]> { Key = Encoding.ASCII.GetBytes(pseudonym), Value = value[..written] });
        }

        await KafkaTestClient.ProduceAsync(_cluster.BootstrapServers, Topics.QualityEscrow, messages);
    }

    /// <summary>The two escrowed VINs' quality pseudonyms, the third one's positioning pseudonym, and one nobody has.</summary>
    private string[] RequestedPseudonyms() =>
    [
        Pseudonym(KnownPurposes.Quality, EscrowedVins[0]),
        Pseudonym(KnownPurposes.Quality, EscrowedVins[1]),
        Pseudonym(KnownPurposes.Positioning, EscrowedVins[2]),
        new string('a', 32),
    ];

    private async Task<string> RequestAsync(string name, string campaign = "R2026-014", int count = 4)
    {
        File.WriteAllLines(PathOf(name + ".txt"), ["# found by quality engineering", .. RequestedPseudonyms().Take(count)]);
        Ok(await CliRunner.RunAsync("recall", "request", "--campaign", campaign, "--legal-basis", "recall regulation, filing 2026-014",
            "--pseudonyms", PathOf(name + ".txt"), "--out", PathOf(name + ".json"), "--request-id", name));
        return PathOf(name + ".json");
    }

    private async Task<string> ApproveAsync(string request, string op, string? asOperator = null)
    {
        string output = PathOf($"{Path.GetFileNameWithoutExtension(request)}.{op}.{asOperator}.{Guid.NewGuid():N}.json");
        Ok(await CliRunner.RunAsync("recall", "approve", "--request", request, "--operator", asOperator ?? op, "--key", PathOf($"keys/{op}.key.pem"), "--out", output));
        return output;
    }

    private Task<CliResult> ResolveAsync(string request, string[] approvals, string output, params string[] extra)
    {
        var args = new List<string> { "recall", "resolve", "--request", request };
        foreach (string approval in approvals)
        {
            args.AddRange(["--approval", approval]);
        }

        args.AddRange(["--approvers", PathOf("approvers"), "--recall-key", PathOf("recall-key.json"), "--bootstrap", _cluster.BootstrapServers, "--out", output]);
        args.AddRange(extra);
        return CliRunner.RunAsync([.. args]);
    }

    private static void Ok(CliResult result) => Assert.True(result.ExitCode == 0, result.All);

    private RawIdentifierScanner VinScanner() => RawIdentifierScanner.For([.. EscrowedVins, NotRequestedVin]);

    private async Task<List<RecallAuditRecord>> AuditAsync(int expected)
    {
        List<ConsumeResult<byte[], byte[]>> records = await KafkaTestClient.ConsumeExactlyAsync(_cluster.BootstrapServers, Topics.RecallAudit, expected, Wait);
        VinScanner().AssertClean(records);
        var decoded = new List<RecallAuditRecord>();
        foreach (ConsumeResult<byte[], byte[]> record in records)
        {
            Assert.True(RecallAuditCodec.TryDecode(record.Message.Value, out RecallAuditRecord? audit, out string? reason), reason);
            foreach (string pseudonym in RequestedPseudonyms())
            {
                Assert.DoesNotContain(pseudonym, Encoding.UTF8.GetString(record.Message.Value), StringComparison.Ordinal);
            }

            decoded.Add(audit);
        }

        return decoded;
    }

    [Fact]
    public async Task Two_approvers_resolve_the_escrowed_pseudonyms_to_a_0600_file_with_one_audit_record_and_counts_only_on_the_console()
    {
        await SetUpAsync();
        string request = await RequestAsync("rq-ok");
        string[] approvals = [await ApproveAsync(request, "alice"), await ApproveAsync(request, "bob")];

        CliResult result = await ResolveAsync(request, approvals, PathOf("vins.csv"));

        Ok(result);
        Assert.Contains("4 requested, 2 resolved, 2 unresolved (2 without an escrow entry, 0 sealed under another recall key, 0 that did not open)", result.Out, StringComparison.Ordinal);
        VinScanner().AssertClean(result.All, "recall resolve output");
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(PathOf("vins.csv")));
        }

        string[] expected =
        [
            "pseudonym,vin",
            .. new[] { (Pseudonym(KnownPurposes.Quality, EscrowedVins[0]), EscrowedVins[0]), (Pseudonym(KnownPurposes.Quality, EscrowedVins[1]), EscrowedVins[1]) }
                .OrderBy(p => p.Item1, StringComparer.Ordinal).Select(p => p.Item1 + "," + p.Item2),
        ];
        Assert.Equal(expected, File.ReadAllLines(PathOf("vins.csv")));
        Assert.DoesNotContain(EscrowedVins[2], File.ReadAllText(PathOf("vins.csv")), StringComparison.Ordinal);

        RecallAuditRecord audit = Assert.Single(await AuditAsync(1));
        Assert.Equal(("rq-ok", "R2026-014", "recall regulation, filing 2026-014", RecallOutcome.Resolved, 4, 2, 2, "file"),
            (audit.RequestId, audit.Campaign, audit.LegalBasis, audit.Outcome, audit.Requested, audit.Resolved, audit.Unresolved, audit.Destination));
        Assert.Equal(["alice", "bob"], audit.Approvers);
        Assert.Equal(RecallFiles_Digest(request), audit.RequestDigest);
    }

    private static string RecallFiles_Digest(string request) =>
        RecallRequest.TryParse(File.ReadAllBytes(request), out _)!.DigestHex;

    [Fact]
    public async Task Refusals_name_their_reason_exit_1_write_nothing_and_are_audited()
    {
        await SetUpAsync();
        string request = await RequestAsync("rq-refused");
        string other = await RequestAsync("rq-other");
        string alice = await ApproveAsync(request, "alice");
        string bob = await ApproveAsync(request, "bob");
        string mallory = await ApproveAsync(request, "mallory");
        string forged = await ApproveAsync(request, "mallory", asOperator: "bob");
        string otherBob = await ApproveAsync(other, "bob");

        (string[] Approvals, string[] Extra, string Code, string Text)[] cases =
        [
            ([alice], [], "approvals-missing", "1 approval given; 2 by different registered approvers are required"),
            ([alice, alice], [], "approvals-same-operator", "approvals 1 and 2 are both by operator 'alice'"),
            ([alice, mallory], [], "approver-unknown", "approval 2 is by operator 'mallory', who is not a registered approver"),
            ([alice, forged], [], "approval-bad-signature", "approval 2 (operator 'bob') has a signature that does not verify"),
            ([alice, otherBob], [], "approval-other-request", "approval 2 (operator 'bob') is for another request"),
            ([alice, bob], ["--max-batch", "3"], "batch-too-large", "the request lists 4 pseudonyms; at most 3"),
        ];

        foreach ((string[] approvals, string[] extra, string code, string text) in cases)
        {
            CliResult result = await ResolveAsync(request, approvals, PathOf("vins.csv"), extra);

            string line = CliRunner.SingleErrorLine(result, 1);
            Assert.Contains($"refused ({code}): {text}", line, StringComparison.Ordinal);
            Assert.EndsWith("nothing was decrypted", line, StringComparison.Ordinal);
            Assert.False(File.Exists(PathOf("vins.csv")), code);
            VinScanner().AssertClean(result.All, code);
        }

        List<RecallAuditRecord> audits = await AuditAsync(cases.Length);
        Assert.Equal(cases.Select(c => c.Code), audits.Select(a => a.Reason));
        Assert.All(audits, a => Assert.Equal((RecallOutcome.Refused, 0, 4), (a.Outcome, a.Resolved, a.Requested)));
    }

    [Fact]
    public async Task The_rate_limit_counts_earlier_resolutions_of_the_campaign_from_the_audit_topic_and_a_request_cannot_be_replayed()
    {
        await SetUpAsync();
        string first = await RequestAsync("rq-first");
        Ok(await ResolveAsync(first, [await ApproveAsync(first, "alice"), await ApproveAsync(first, "bob")], PathOf("first.csv"), "--max-per-campaign", "1"));
        string second = await RequestAsync("rq-second");
        string[] secondApprovals = [await ApproveAsync(second, "alice"), await ApproveAsync(second, "bob")];
        string otherCampaign = await RequestAsync("rq-third", campaign: "R2026-015");

        CliResult limited = await ResolveAsync(second, secondApprovals, PathOf("second.csv"), "--max-per-campaign", "1");
        CliResult replayed = await ResolveAsync(first, [await ApproveAsync(first, "alice"), await ApproveAsync(first, "bob")], PathOf("replay.csv"), "--max-per-campaign", "5");
        CliResult allowed = await ResolveAsync(otherCampaign, [await ApproveAsync(otherCampaign, "alice"), await ApproveAsync(otherCampaign, "bob")], PathOf("third.csv"), "--max-per-campaign", "1");

        Assert.Contains("refused (rate-limited): campaign R2026-014 was resolved 1 times in the last 24 h; at most 1 are allowed", CliRunner.SingleErrorLine(limited, 1), StringComparison.Ordinal);
        Assert.Contains("refused (request-already-resolved)", CliRunner.SingleErrorLine(replayed, 1), StringComparison.Ordinal);
        Ok(allowed);
        Assert.False(File.Exists(PathOf("second.csv")));
        Assert.False(File.Exists(PathOf("replay.csv")));
        // Keyed by campaign: one campaign's records are in order, the two campaigns' may interleave either way.
        List<RecallAuditRecord> audits = await AuditAsync(4);
        Assert.Equal(
            [("rq-first", RecallOutcome.Resolved, ""), ("rq-second", RecallOutcome.Refused, "rate-limited"), ("rq-first", RecallOutcome.Refused, "request-already-resolved")],
            audits.Where(a => a.Campaign == "R2026-014").Select(a => (a.RequestId, a.Outcome, a.Reason)));
        Assert.Equal(("rq-third", RecallOutcome.Resolved), audits.Where(a => a.Campaign == "R2026-015").Select(a => (a.RequestId, a.Outcome)).Single());
    }

    [Fact]
    public async Task The_escrow_reader_finds_a_subjects_entry_by_its_quality_pseudonym_and_not_by_another_purposes()
    {
        await SetUpAsync();

        EscrowRecord? found = await EscrowReader.FindAsync(_cluster.BootstrapServers, Topics.QualityEscrow, Pseudonym(KnownPurposes.Quality, EscrowedVins[2]));
        EscrowRecord? positioning = await EscrowReader.FindAsync(_cluster.BootstrapServers, Topics.QualityEscrow, Pseudonym(KnownPurposes.Positioning, EscrowedVins[2]));

        Assert.NotNull(found);
        Assert.Equal("recall-test", found.RecallKeyId);
        Assert.Null(positioning);
    }

    [Fact]
    public async Task Resolve_with_the_master_keys_file_as_recall_key_is_one_usage_error()
    {
        await SetUpAsync();
        Ok(await CliRunner.RunAsync("keys", "generate", "--out", PathOf("keys.json")));
        string request = await RequestAsync("rq-keys");
        string[] approvals = [await ApproveAsync(request, "alice"), await ApproveAsync(request, "bob")];

        var args = new List<string> { "recall", "resolve", "--request", request, "--approval", approvals[0], "--approval", approvals[1],
            "--approvers", PathOf("approvers"), "--recall-key", PathOf("keys.json"), "--bootstrap", _cluster.BootstrapServers, "--out", PathOf("vins.csv") };
        CliResult result = await CliRunner.RunAsync([.. args]);

        Assert.Contains("is a master keys file (activeKeyId, keys), not a recall key file", CliRunner.SingleErrorLine(result, 2), StringComparison.Ordinal);
        Assert.False(File.Exists(PathOf("vins.csv")));
    }

    public void Dispose()
    {
        _cluster.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}
