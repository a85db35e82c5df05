using Sieve.Contracts.Pseudonymization;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Sieve.Commands.Keys;

/// <summary><c>sieve keys generate</c>: a new keys file with one random master key, readable only by its owner.</summary>
internal sealed class KeysGenerateCommand(CliSession session) : SieveCommand<KeysGenerateSettings>(session)
{
    public const string Name = "keys generate";

    public const string Summary = "create a master keys file with one random key (mode 0600)";

    public const string DefaultFile = "sieve-keys.json";

    public const string DefaultKeyId = "k1";

    public const string Usage = $"""
        Usage: sieve keys generate [--id ID] [--out FILE] [--force]

        Creates a keys file holding one fresh random 256-bit master key, active, readable and writable by its owner
        only (mode 0600). Prints the key id, never the secret. Pass the file to services with Keys:Path or to the CLI
        with --keys; the secret never needs to be seen.

        Options:
          --id ID      master key id, 1 to 64 of A-Z a-z 0-9 . _ - (default {DefaultKeyId})
          --out FILE   where to write (default ./{DefaultFile})
          --force      replace FILE if it exists (its keys, and the pseudonyms made with them, are lost)

        Example:
          sieve keys generate --id k1 --out /etc/sieve/keys.json
        """;

    protected override Task<int> RunAsync(KeysGenerateSettings settings, CancellationToken cancellationToken)
    {
        string path = settings.Out;
        string json = KeyIds.Generate(settings.Id);
        KeysFileWriter.Write(path, json, settings.Force);

        // Read back through the services' loader: what was written is what they will accept.
        MasterKeyRing ring = KeyIds.LoadWritten(path);
        PlainText.WriteLine(Console, $"generated master key '{ring.Active.Id}' in {path} (mode 0600)");
        return Task.FromResult(ExitCodes.Ok);
    }
}

/// <summary>The options of <c>sieve keys generate</c>.</summary>
internal sealed class KeysGenerateSettings : SieveSettings
{
    /// <summary><c>--id ID</c>.</summary>
    [CommandOption("--id <ID>")]
    public string Id { get; init; } = KeysGenerateCommand.DefaultKeyId;

    /// <summary><c>--out FILE</c>.</summary>
    [CommandOption("--out <FILE>")]
    public string Out { get; init; } = KeysGenerateCommand.DefaultFile;

    /// <summary><c>--force</c>: replace the file.</summary>
    [CommandOption("--force")]
    public bool Force { get; init; }

    protected override string CommandName => KeysGenerateCommand.Name;
}
