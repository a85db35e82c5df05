using Sieve.Commands;
using Sieve.Commands.Access;
using Sieve.Commands.Consent;
using Sieve.Commands.Erasure;
using Sieve.Contracts;
using Sieve.Contracts.Identifiers;
using Sieve.Testing.Cli;

namespace Sieve.Tests.Cli;

/// <summary>
/// The <c>--type</c>/<c>--id</c> options the subject commands share (access, consent show, consent grant and withdraw,
/// erasure request): names, defaults, the order of the checks and their messages.
/// </summary>
public sealed class SubjectOptionsTests
{
    private const string Vin = "LSVAU218XN2183294";

    [Fact]
    public void Access_reads_the_subject_and_lookup_options_with_their_defaults()
    {
        AccessSettings settings = ReadsTheLookupOptions<AccessSettings>(AccessCommand.Name, ["--lake", "/data/lake", "--json"]);

        Assert.Equal("/data/lake", settings.Lake);
        Assert.True(settings.Json);

        settings = ReadsTheLookupOptions<AccessSettings>(AccessCommand.Name, []);
        Assert.Equal(AccessCommand.DefaultLake, settings.Lake);
        Assert.False(settings.Json);
    }

    [Fact]
    public void Consent_show_reads_the_subject_and_lookup_options_with_their_defaults() =>
        ReadsTheLookupOptions<ConsentShowSettings>(ConsentShowCommand.Name, []);

    [Fact]
    public void Erasure_request_reads_the_subject_and_its_kafka_options_with_their_defaults()
    {
        ErasureRequestSettings? settings = SieveCli.Parse<ErasureRequestSettings>(ErasureRequestCommand.Name,
            ["--type", "vin", "--id", Vin.ToLowerInvariant(), "--property", "client.id=sieve-test"], out string? problem);

        Assert.Null(problem);
        Assert.NotNull(settings);
        Assert.Equal(SubjectType.Vin, settings.SubjectType);
        Assert.Equal(Vin, settings.NormalizedId);
        Assert.Equal(ErasureRequestCommand.DefaultBootstrap, settings.Bootstrap);
        Assert.Equal(Topics.ErasureRequests, settings.Topic);
        Assert.Equal(ErasureRequestCommand.DefaultTimeoutSeconds, settings.TimeoutSeconds);
        Assert.Equal(["client.id=sieve-test"], settings.Properties);
        Assert.Null(settings.PropertiesFile);
    }

    [Theory]
    [InlineData(ConsentChangeCommand.GrantName, true)]
    [InlineData(ConsentChangeCommand.WithdrawName, false)]
    public void Consent_change_reads_the_subject_and_its_kafka_options_with_their_defaults(string command, bool granted)
    {
        string[] args = ["--type", "vin", "--id", Vin.ToLowerInvariant(), "--purpose", "positioning", "--property", "client.id=sieve-test"];
        ConsentChangeSettings? settings = granted
            ? SieveCli.Parse<ConsentGrantSettings>(command, args, out string? problem)
            : SieveCli.Parse<ConsentWithdrawSettings>(command, args, out problem);

        Assert.Null(problem);
        Assert.NotNull(settings);
        Assert.Equal(granted, settings.Granted);
        Assert.Equal(SubjectType.Vin, settings.SubjectType);
        Assert.Equal(Vin, settings.NormalizedId);
        Assert.Equal("positioning", settings.Purpose);
        Assert.Equal(ConsentChangeCommand.DefaultBootstrap, settings.Bootstrap);
        Assert.Equal(Topics.ConsentChanges, settings.Topic);
        Assert.Equal(ConsentChangeCommand.DefaultTimeoutSeconds, settings.TimeoutSeconds);
        Assert.Equal(["client.id=sieve-test"], settings.Properties);
    }

    [Theory]
    [InlineData("access")]
    [InlineData("consent show")]
    [InlineData("erasure request")]
    [InlineData("consent grant")]
    [InlineData("consent withdraw")]
    public async Task The_subject_checks_come_first_in_the_same_order_with_the_same_lines(string command)
    {
        string[] name = command.Split(' ');
        bool publishes = command is ErasureRequestCommand.Name or ConsentChangeCommand.GrantName or ConsentChangeCommand.WithdrawName;

        // A bad --timeout of the publishing commands is only reported once the subject is good.
        string[] later = publishes ? ["--timeout", "0"] : [];
        string[] purpose = command is ConsentChangeCommand.GrantName or ConsentChangeCommand.WithdrawName ? ["--purpose", "positioning"] : [];

        string line = CliRunner.SingleErrorLine(await CliRunner.RunAsync([.. name, "--id", "12", .. later]), ExitCodes.Usage);
        Assert.Equal($"sieve {command}: --type vin|phone|mac|device-id is required; run 'sieve {command} --help'", line);

        line = CliRunner.SingleErrorLine(await CliRunner.RunAsync([.. name, "--type", "email", "--id", "12", .. later]), ExitCodes.Usage);
        Assert.Equal($"sieve {command}: --type must be one of vin, phone, mac, device-id", line);

        line = CliRunner.SingleErrorLine(await CliRunner.RunAsync([.. name, "--type", "vin", .. purpose, .. later]), ExitCodes.Usage);
        Assert.Equal($"sieve {command}: --id ID is required; run 'sieve {command} --help'", line);

        line = CliRunner.SingleErrorLine(await CliRunner.RunAsync([.. name, "--type", "vin", "--id", "LSVAU2181N2183294", .. purpose, .. later]), ExitCodes.Usage);
        Assert.Equal($"sieve {command}: --id is not a valid vin (invalid-vin-checksum: the check digit (9th character) does not match the rest); check the value and --type vin", line);

        if (publishes)
        {
            line = CliRunner.SingleErrorLine(await CliRunner.RunAsync([.. name, "--type", "vin", "--id", Vin, .. purpose, .. later]), ExitCodes.Usage);
            Assert.Equal($"sieve {command}: --timeout must be a whole number of seconds from 1 to 3600", line);
        }
    }

    [Theory]
    [InlineData("consent grant")]
    [InlineData("consent withdraw")]
    public async Task Consent_change_checks_the_purpose_between_the_type_and_the_id(string command)
    {
        string[] name = command.Split(' ');

        string line = CliRunner.SingleErrorLine(await CliRunner.RunAsync([.. name, "--type", "vin", "--id", "12"]), ExitCodes.Usage);
        Assert.Equal($"sieve {command}: --purpose PURPOSE is required; run 'sieve {command} --help'", line);

        line = CliRunner.SingleErrorLine(await CliRunner.RunAsync([.. name, "--type", "vin", "--id", "12", "--purpose", "billing"]), ExitCodes.Usage);
        Assert.StartsWith($"sieve {command}: --purpose must be one of ", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Erasure_request_checks_the_reason_after_the_id()
    {
        string line = CliRunner.SingleErrorLine(await CliRunner.RunAsync("erasure", "request", "--type", "vin", "--id", "12", "--reason", "because"), ExitCodes.Usage);
        Assert.StartsWith("sieve erasure request: --id is not a valid vin (invalid-vin-length", line, StringComparison.Ordinal);

        line = CliRunner.SingleErrorLine(await CliRunner.RunAsync("erasure", "request", "--type", "vin", "--id", Vin, "--reason", "because"), ExitCodes.Usage);
        Assert.Equal("sieve erasure request: --reason must be one of user-request, minor, other", line);
    }

    /// <summary>
    /// Parses <paramref name="command"/> with only a subject, then with every lookup option too, checking the defaults
    /// and the values read; returns the settings of the second parse (with <paramref name="more"/> options).
    /// </summary>
    private static TSettings ReadsTheLookupOptions<TSettings>(string command, string[] more)
        where TSettings : SubjectLookupSettings
    {
        TSettings? settings = SieveCli.Parse<TSettings>(command, ["--type", "phone", "--id", "+86 139 1762 0458"], out string? problem);

        Assert.Null(problem);
        Assert.NotNull(settings);
        Assert.Equal(SubjectType.Phone, settings.SubjectType);
        Assert.Equal("+8613917620458", settings.NormalizedId);
        Assert.Equal("localhost:6379", settings.Redis);
        Assert.Null(settings.Keys);
        Assert.False(settings.DemoKeys);
        Assert.Null(settings.Policy);

        settings = SieveCli.Parse<TSettings>(command,
            ["--type", "mac", "--id", "3C-22-FB-7A-41-D9", "--redis", "redis-1:6380", "--keys", "keys.json", "--demo-keys", "--policy", "p.yaml", .. more], out problem);

        Assert.Null(problem);
        Assert.NotNull(settings);
        Assert.Equal(SubjectType.Mac, settings.SubjectType);
        Assert.Equal("3c:22:fb:7a:41:d9", settings.NormalizedId);
        Assert.Equal("redis-1:6380", settings.Redis);
        Assert.Equal("keys.json", settings.Keys);
        Assert.True(settings.DemoKeys);
        Assert.Equal("p.yaml", settings.Policy);
        return settings;
    }
}
