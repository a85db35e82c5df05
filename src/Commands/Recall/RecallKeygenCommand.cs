using Sieve.Core.Recall;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Sieve.Commands.Recall;

/// <summary><c>sieve recall keygen</c>: a new recall key file, readable only by its owner.</summary>
internal sealed class RecallKeygenCommand(CliSession session) : SieveCommand<RecallKeygenSettings>(session)
{
    public const string Name = "recall keygen";

    public const string Summary = "create a recall key file (the key that seals VINs into the escrow; mode 0600)";

    public const string DefaultFile = "sieve-recall-key.json";

    public const string DefaultKeyId = "recall-1";

    public const string Usage = $$"""
        Usage: sieve recall keygen [--id ID] [--out FILE] [--force]

        Creates a recall key file: one fresh random 256-bit key and its id, as
        {"{{RecallKeyFile.TopLevelProperty}}": {"id": ID, "key": BASE64} }, readable and writable by its owner only (mode 0600).
        The recall key is not a master key and lives in its own file: give it only to the Minimizer
        ({{RecallKey.ConfigurationKey}}) and to 'sieve recall resolve' (--recall-key). Prints the key id, never the key.

        Options:
          --id ID      recall key id, 1 to 64 of A-Z a-z 0-9 . _ - (default {{DefaultKeyId}})
          --out FILE   where to write (default ./{{DefaultFile}})
          --force      replace FILE if it exists (escrow entries sealed under its key can no longer be opened)

        Example:
          sieve recall keygen --id recall-2026 --out /etc/sieve/recall-key.json
        """;

    protected override Task<int> RunAsync(RecallKeygenSettings settings, CancellationToken cancellationToken)
    {
        RecallKey key = RecallKey.Create(settings.Id);
        OwnerOnlyFile.Write(settings.Out, "--out", RecallKeyFile.Write(key), settings.Force);

        // Read back through the services' loader: what was written is what they will accept.
        RecallKey written = RecallFiles.ReadRecallKey(settings.Out);
        PlainText.WriteLine(Console, $"generated recall key '{written.Id}' in {settings.Out} (mode 0600)");
        return Task.FromResult(ExitCodes.Ok);
    }
}

/// <summary>The options of <c>sieve recall keygen</c>.</summary>
internal sealed class RecallKeygenSettings : SieveSettings
{
    /// <summary><c>--id ID</c>.</summary>
    [CommandOption("--id <ID>")]
    public string Id { get; init; } = RecallKeygenCommand.DefaultKeyId;

    /// <summary><c>--out FILE</c>.</summary>
    [CommandOption("--out <FILE>")]
    public string Out { get; init; } = RecallKeygenCommand.DefaultFile;

    /// <summary><c>--force</c>.</summary>
    [CommandOption("--force")]
    public bool Force { get; init; }

    protected override string CommandName => RecallKeygenCommand.Name;

    public override ValidationResult Validate() =>
        RecallKey.IsValidId(Id) ? ValidationResult.Success() : ValidationResult.Error(RecallToken.Rule("--id"));
}
