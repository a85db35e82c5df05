using System.Globalization;
using System.Text;
using Sieve.Core.Recall;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Sieve.Commands.Recall;

/// <summary><c>sieve recall request</c>: writes the canonical request two approvers sign.</summary>
internal sealed class RecallRequestCommand(CliSession session) : SieveCommand<RecallRequestSettings>(session)
{
    public const string Name = "recall request";

    public const string Summary = "write a recall resolution request for the quality pseudonyms of a campaign";

    public const string Usage = """
        Usage: sieve recall request --campaign ID --legal-basis TEXT --pseudonyms FILE --out REQUEST.json
                                    [--request-id ID]

        Writes a recall resolution request: the campaign, the legal basis, the quality pseudonyms listed in FILE
        (one a line; blank lines and # comments skipped; sorted and deduplicated), the time and a random request id,
        as canonical JSON. Two registered approvers then sign it with 'sieve recall approve', and
        'sieve recall resolve' turns the approved pseudonyms into VINs. Prints counts and the request's digest.

        Options:
          --campaign ID       the recall campaign, 1 to 64 of A-Z a-z 0-9 . _ - (required)
          --legal-basis TEXT  why the owners must be reached, e.g. the recall regulation and the filing number (required)
          --pseudonyms FILE   the quality pseudonyms, 32 characters of a-z 2-7 each, one a line (required)
          --out FILE          where to write the request, which must not exist (required)
          --request-id ID     the request's id (default: rq- and a random hex id)

        Example:
          sieve recall request --campaign R2026-014 --legal-basis "recall filing 2026-014" --pseudonyms found.txt --out r2026-014.json
        """;

    protected override Task<int> RunAsync(RecallRequestSettings settings, CancellationToken cancellationToken)
    {
        string text = Encoding.UTF8.GetString(RecallFiles.Read(settings.Pseudonyms!, "--pseudonyms"));
        var pseudonyms = new List<string>();
        int lineNumber = 0;
        foreach (string raw in text.Split('\n'))
        {
            lineNumber++;
            string line = raw.Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            if (!RecallRequest.IsPseudonym(line))
            {
                ThrowHelper.Usage($"--pseudonyms line {lineNumber} is not a quality pseudonym (32 characters of a-z and 2-7)");
            }

            pseudonyms.Add(line);
        }

        if (pseudonyms.Count == 0)
        {
            ThrowHelper.Usage("--pseudonyms lists no pseudonym");
        }

        if (pseudonyms.Count > RecallRequest.MaxPseudonyms)
        {
            ThrowHelper.Usage($"--pseudonyms lists more than {RecallRequest.MaxPseudonyms} pseudonyms");
        }

        string requestId = settings.RequestId ?? "rq-" + Guid.NewGuid().ToString("N");
        RecallRequest request = RecallRequest.Create(requestId, settings.Campaign!, settings.LegalBasis!, DateTimeOffset.UtcNow, pseudonyms);
        OwnerOnlyFile.CheckWritable(settings.Out!, "--out", overwrite: false);
        string temporary = OwnerOnlyFile.WriteTemporary(settings.Out!, Encoding.UTF8.GetString(request.CanonicalBytes) + "\n");
        OwnerOnlyFile.Commit(temporary, settings.Out!, overwrite: false);
        PlainText.WriteLine(Console, string.Create(CultureInfo.InvariantCulture,
            $"wrote request {request.RequestId} for campaign {request.Campaign}: {request.Pseudonyms.Count} pseudonyms ({pseudonyms.Count - request.Pseudonyms.Count} duplicates removed), digest sha256:{request.DigestHex}, to {settings.Out}"));
        return Task.FromResult(ExitCodes.Ok);
    }
}

/// <summary>The options of <c>sieve recall request</c>.</summary>
internal sealed class RecallRequestSettings : SieveSettings
{
    /// <summary><c>--campaign ID</c>.</summary>
    [CommandOption("--campaign <ID>")]
    public string? Campaign { get; init; }

    /// <summary><c>--legal-basis TEXT</c>.</summary>
    [CommandOption("--legal-basis <TEXT>")]
    public string? LegalBasis { get; init; }

    /// <summary><c>--pseudonyms FILE</c>.</summary>
    [CommandOption("--pseudonyms <FILE>")]
    public string? Pseudonyms { get; init; }

    /// <summary><c>--out FILE</c>.</summary>
    [CommandOption("--out <FILE>")]
    public string? Out { get; init; }

    /// <summary><c>--request-id ID</c>.</summary>
    [CommandOption("--request-id <ID>")]
    public string? RequestId { get; init; }

    protected override string CommandName => RecallRequestCommand.Name;

    public override ValidationResult Validate()
    {
        if (Campaign is null)
        {
            return Required("--campaign", "ID");
        }

        if (!RecallToken.IsValid(Campaign))
        {
            return ValidationResult.Error(RecallToken.Rule("--campaign"));
        }

        if (string.IsNullOrWhiteSpace(LegalBasis))
        {
            return Required("--legal-basis", "TEXT");
        }

        if (LegalBasis.Length > RecallRequest.MaxLegalBasisLength)
        {
            return ValidationResult.Error($"--legal-basis must be at most {RecallRequest.MaxLegalBasisLength} characters");
        }

        if (Pseudonyms is null)
        {
            return Required("--pseudonyms", "FILE");
        }

        if (Out is null)
        {
            return Required("--out", "FILE");
        }

        return RequestId is not null && !RecallToken.IsValid(RequestId) ? ValidationResult.Error(RecallToken.Rule("--request-id")) : ValidationResult.Success();
    }
}
