using Sieve.Contracts.Pseudonymization;
using Sieve.Core.Policy;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Sieve.Commands.Policy;

/// <summary>
/// <c>sieve policy explain FILE|--default --event SAMPLE.json</c>: what the policy does to one sample event, per
/// purpose and per field.
/// </summary>
internal sealed class PolicyExplainCommand(CliSession session) : SieveCommand<PolicyExplainSettings>(session)
{
    public const string Name = "policy explain";

    public const string Summary = "run a sample event through the minimizer and show, per purpose, every field and why";

    public const string Usage = """
        Usage: sieve policy explain (FILE | --default) --event SAMPLE.json [--consent all|none|P1,P2,...] [--minor] [--json]

        Runs one sample raw event through the real minimizer core with the policy FILE (or the shipped policy with
        --default), an in-memory consent store holding the consent described by --consent, and the demo master key.
        For each purpose it shows the outcome (forwarded, withheld and why, not applicable); for a forwarded record,
        every output field with its value, the input field it came from and the transform, and the input fields that
        were dropped (direct identifiers marked). A quarantined input shows the reason code and detail.

        Options:
          --default          use the policy shipped in the Minimizer instead of FILE
          --event FILE       the sample event, JSON mirroring the Avro record plus "type": "telematics" | "wifi"
                             (see samples/telematics-event.json, samples/wifi-event.json) (required)
          --consent WHICH    purposes the subject granted, an hour before the event: all (default), none,
                             or a comma-separated list, e.g. positioning,personalization
          --minor            the subject is under 18 (nothing is forwarded anywhere)
          --json             print the explanation as JSON

        Example:
          sieve policy explain --default --event samples/wifi-event.json --consent positioning
        """;

    protected override async Task<int> RunAsync(PolicyExplainSettings settings, CancellationToken cancellationToken)
    {
        ConsentSpec consent = ConsentSpec.Parse(settings.Consent, settings.Minor);
        CompiledPolicy policy = PolicyFiles.Load(settings.UseDefault ? null : settings.File);
        SampleEvent sample = SampleEventReader.ReadFile(settings.Event!);

        ExplainReport report = await PolicyExplainer.ExplainAsync(policy, sample, consent, MasterKeyRing.CreateDemo(), cancellationToken).ConfigureAwait(false);
        if (settings.Json)
        {
            PlainText.WriteLine(Console, ExplainJsonWriter.Write(report));
        }
        else
        {
            ExplainTableRenderer.Render(Console, report);
        }

        return ExitCodes.Ok;
    }
}

/// <summary>The arguments and options of <c>sieve policy explain</c>.</summary>
internal sealed class PolicyExplainSettings : SieveSettings
{
    /// <summary>The policy file, unless <see cref="UseDefault"/>.</summary>
    [CommandArgument(0, "[FILE]")]
    public string? File { get; init; }

    /// <summary><c>--default</c>: the shipped policy.</summary>
    [CommandOption("--default")]
    public bool UseDefault { get; init; }

    /// <summary><c>--event SAMPLE.json</c>.</summary>
    [CommandOption("--event <SAMPLE>")]
    public string? Event { get; init; }

    /// <summary><c>--consent all|none|P1,P2</c>.</summary>
    [CommandOption("--consent <WHICH>")]
    public string? Consent { get; init; }

    /// <summary><c>--minor</c>.</summary>
    [CommandOption("--minor")]
    public bool Minor { get; init; }

    /// <summary><c>--json</c>.</summary>
    [CommandOption("--json")]
    public bool Json { get; init; }

    protected override string CommandName => PolicyExplainCommand.Name;

    public override ValidationResult Validate()
    {
        if (UseDefault == (File is not null))
        {
            return ValidationResult.Error($"give either a policy FILE or --default (not both); run 'sieve {CommandName} --help'");
        }

        return string.IsNullOrWhiteSpace(Event) ? Required("--event", "SAMPLE.json") : ValidationResult.Success();
    }
}
