using Microsoft.Extensions.Time.Testing;
using Sieve.Commands.Audit;
using Sieve.Commands.PrivacyConsole;
using Sieve.Contracts.Identifiers;
using Sieve.Core.Output;
using Sieve.Core.Pipeline;
using Sieve.Core.Policy;

namespace Sieve.Tests.PrivacyConsole;

/// <summary>The console's in-memory state: lookups (per session, expiring, never printing the identifier) and sessions.</summary>
public sealed class ConsoleStateTests
{
    [Fact]
    public void A_lookup_is_found_only_by_its_own_session_until_it_expires_and_never_prints_the_identifier()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-12-07T06:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var lookups = new SubjectLookups(TimeSpan.FromMinutes(15), clock);
        SubjectLookups.Lookup lookup = Assert.IsType<SubjectLookups.Lookup>(lookups.Add("session-a", SubjectType.Vin, "LSVAU218XN2183294", "consent-key"));

        Assert.Matches("^[0-9a-f]{32}$", lookup.Handle);
        Assert.Same(lookup, lookups.Find("session-a", lookup.Handle));
        Assert.Null(lookups.Find("session-b", lookup.Handle));
        Assert.DoesNotContain("LSVAU218XN2183294", lookup.ToString(), StringComparison.Ordinal);
        SubjectLookups.Lookup again = Assert.IsType<SubjectLookups.Lookup>(lookups.Add("session-a", SubjectType.Vin, "LSVAU218XN2183294", "consent-key"));
        Assert.NotEqual(lookup.Handle, again.Handle);

        clock.Advance(TimeSpan.FromMinutes(15));
        Assert.Null(lookups.Find("session-a", lookup.Handle));
        Assert.Equal(2, lookups.Count);
    }

    [Fact]
    public void Signing_out_forgets_the_sessions_lookups_and_only_them()
    {
        var lookups = new SubjectLookups(TimeSpan.FromMinutes(15), new FakeTimeProvider());
        SubjectLookups.Lookup mine = lookups.Add("session-a", SubjectType.Phone, "+8613912345678", "k1")!;
        SubjectLookups.Lookup theirs = lookups.Add("session-b", SubjectType.Phone, "+8613912345679", "k2")!;

        lookups.Forget("session-a");

        Assert.Null(lookups.Find("session-a", mine.Handle));
        Assert.Same(theirs, lookups.Find("session-b", theirs.Handle));
        Assert.True(theirs.ClaimErasure());
        Assert.False(theirs.ClaimErasure());
        theirs.Release();
        Assert.True(theirs.ClaimErasure());
    }

    [Fact]
    public void Only_the_token_opens_a_session_and_a_form_needs_its_sessions_own_value()
    {
        var clock = new FakeTimeProvider();
        string token = ConsoleSessions.NewToken();
        var sessions = new ConsoleSessions(token, clock);

        Assert.True(sessions.IsToken(token));
        Assert.False(sessions.IsToken(token[..^1]));
        Assert.False(sessions.IsToken(null));
        ConsoleSessions.Session one = sessions.Open()!;
        ConsoleSessions.Session two = sessions.Open()!;
        Assert.True(one.Posted(one.Csrf));
        Assert.False(one.Posted(two.Csrf));
        Assert.False(one.Posted(null));
        Assert.Same(one, sessions.Find(one.Id));
        Assert.Null(sessions.Find(sessions.ForOneRequest().Id));

        clock.Advance(ConsoleSessions.Lifetime);
        Assert.Null(sessions.Find(one.Id));
    }

    [Fact]
    public void The_audit_decoder_reads_every_outcome_in_schema_order_and_the_counts_add_up()
    {
        CompiledPolicy policy = PolicyLoader.LoadDefault();
        var tally = new PartitionTally("telematics.raw.v1", 1, policy.Purposes.Count);
        var outcomes = new Outcome[policy.Purposes.Count];
        for (int i = 0; i < outcomes.Length; i++)
        {
            outcomes[i] = policy.Purposes[i].ConsentRequired ? Outcome.WithheldNoConsent : Outcome.HeldForRelease;
        }

        tally.AddProcessed(5, outcomes);
        tally.AddQuarantined(6, "vin-invalid");
        byte[] message = OpsRecordWriter.Audit("m-1", 3, tally, policy.Purposes, 1_764_050_400_000);

        Assert.True(AuditRecordDecoder.TryDecode(message, out DecodedAudit? audit));
        Assert.Equal("forwarded", AuditRecordDecoder.Outcomes[AuditRecordDecoder.Forwarded]);
        Assert.Equal("heldForRelease", AuditRecordDecoder.Outcomes[AuditRecordDecoder.HeldForRelease]);
        Assert.Equal((2L, 1L, true), (audit!.Inputs, audit.QuarantinedTotal, audit.Balanced));
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1_764_050_400_000), audit.CommittedAt);
        int withheld = AuditRecordDecoder.Outcomes.ToList().IndexOf("withheldNoConsent");
        DecodedAudit.PurposeCounts positioning = audit.Purposes.Single(p => p.Purpose == "positioning");
        Assert.Equal(1L, positioning.Counts[withheld]);
        Assert.False(AuditRecordDecoder.TryDecode([0xC3, 0x01, 1, 2, 3, 4, 5, 6, 7, 8], out _));
    }
}
