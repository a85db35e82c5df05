using Sieve.Commands;
using Sieve.Commands.Consent;
using Sieve.Contracts.Purposes;
using Sieve.Core.Consent;
using Sieve.Core.Policy;

namespace Sieve.Tests.Cli;

/// <summary>What <c>sieve consent show</c> prints as a purpose's expiry.</summary>
public sealed class ConsentExpiryDisplayTests
{
    private const long Day = 86_400_000;
    private const long Effective = 1_764_054_000_000; // 2025-11-25T07:00:00Z

    [Fact]
    public void The_earlier_of_expiresAt_and_the_policys_max_age_is_shown_and_marked_once_passed()
    {
        long maxAge = ConsentShowCommand.MaxAgeOf(PolicyLoader.LoadDefault(), KnownPurposes.IndexOf(KnownPurposes.Positioning));
        Assert.Equal(365 * Day, maxAge);

        var open = new PurposeConsent(ConsentState.Granted, Effective, "v1");
        Assert.Equal("2026-11-25T07:00:00.000Z", ConsentShowCommand.Expiry(open, maxAge, Effective));
        Assert.Equal("2026-11-25T07:00:00.000Z (expired)", ConsentShowCommand.Expiry(open, maxAge, Effective + (365 * Day)));

        var soon = new PurposeConsent(ConsentState.Granted, Effective, "v1", Effective + Day);
        Assert.Equal("2025-11-26T07:00:00.000Z", ConsentShowCommand.Expiry(soon, maxAge, Effective));
    }

    [Fact]
    public void A_grant_nothing_bounds_never_expires_and_other_states_show_no_expiry()
    {
        // A purpose the shipped policy does not have is bounded only by a grant's own expiresAt.
        long none = ConsentShowCommand.MaxAgeOf(PolicyLoader.LoadDefault(), KnownPurposes.IndexOf(KnownPurposes.AfterSales));
        Assert.Equal(ConsentRules.NoMaxAge, none);
        Assert.Equal("never", ConsentShowCommand.Expiry(new PurposeConsent(ConsentState.Granted, Effective, "v1"), none, Effective));
        Assert.Equal("-", ConsentShowCommand.Expiry(new PurposeConsent(ConsentState.Withdrawn, Effective, "v1"), none, Effective));
        Assert.Equal("-", ConsentShowCommand.Expiry(default, none, Effective));
    }

    [Theory]
    [InlineData("next tuesday", "--expires must be an ISO 8601 time")]
    [InlineData("2026-01-01T00:00:00Z", "--expires must be after the grant takes effect")]
    public async Task A_bad_or_too_early_expiry_is_one_usage_error_and_withdraw_has_no_expires(string expires, string message)
    {
        string line = Sieve.Testing.Cli.CliRunner.SingleErrorLine(await Sieve.Testing.Cli.CliRunner.RunAsync(
            "consent", "grant", "--type", "vin", "--id", "LSVAU218XN2183294", "--purpose", "positioning",
            "--effective", "2026-06-01T00:00:00Z", "--expires", expires, "--bootstrap", "127.0.0.1:1"), ExitCodes.Usage);
        Assert.Contains(message, line, StringComparison.Ordinal);
        Assert.DoesNotContain("LSVAU218XN2183294", line, StringComparison.Ordinal);

        Assert.NotEqual(ExitCodes.Ok, (await Sieve.Testing.Cli.CliRunner.RunAsync(
            "consent", "withdraw", "--type", "vin", "--id", "LSVAU218XN2183294", "--purpose", "positioning", "--expires", "2027-01-01T00:00:00Z")).ExitCode);
    }
}
