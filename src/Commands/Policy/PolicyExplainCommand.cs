using Sieve.Contracts.Pseudonymization;
using Sieve.Core.Policy;
using Spectre.Console;

namespace Sieve.Commands.Policy;

/// <summary>
/// <c>sieve policy explain FILE|--default --event SAMPLE.json</c>: what the policy does to one sample event, per
/// purpose and per field.
/// </summary>
internal static class PolicyExplainCommand
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
                             (see samples/telematics-event.json, samples/wifi-event.json)
          --consent WHICH    purposes the subject granted, an hour before the event: all (default), none,
                             or a comma-separated list, e.g. positioning,personalization
          --minor            the subject is under 18 (nothing is forwarded anywhere)
          --json             print the explanation as JSON

        Example:
          sieve policy explain --default --event samples/wifi-event.json --consent positioning
        """;

    public static IReadOnlyList<OptionSpec> Options { get; } =
    [
        OptionSpec.Flag("--default"),
        OptionSpec.Value("--event"),
        OptionSpec.Value("--consent"),
        OptionSpec.Flag("--minor"),
        OptionSpec.Flag("--json"),
    ];

    public static async Task<int> RunAsync(CommandArguments args, IAnsiConsole console, CancellationToken cancellationToken)
    {
        args.ExpectPositionals(0, 1, "the policy FILE");
        bool useDefault = args.Flag("--default");
        if (useDefault == (args.Positionals.Count == 1))
        {
            ThrowHelper.Usage("give either a policy FILE or --default (not both); run 'sieve policy explain --help'");
        }

        string eventFile = args.Required("--event", "SAMPLE.json");
        ConsentSpec consent = ConsentSpec.Parse(args.Value("--consent"), args.Flag("--minor"));
        CompiledPolicy policy = PolicyFiles.Load(useDefault ? null : args.Positionals[0]);
        SampleEvent sample = SampleEventReader.ReadFile(eventFile);

        ExplainReport report = await PolicyExplainer.ExplainAsync(policy, sample, consent, MasterKeyRing.CreateDemo(), cancellationToken).ConfigureAwait(false);
        if (args.Flag("--json"))
        {
            PlainText.WriteLine(console, ExplainJsonWriter.Write(report));
        }
        else
        {
            ExplainTableRenderer.Render(console, report);
        }

        return ExitCodes.Ok;
    }
}
