using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Sieve.Contracts.Pseudonymization;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Sieve.Commands.Keys;

/// <summary>
/// <c>sieve keys rotate</c>: adds a fresh master key to a keys file and makes it active. The older keys stay in
/// the file, so pseudonyms made with them can still be recomputed (e.g. to honour an erasure request).
/// </summary>
internal sealed class KeysRotateCommand(CliSession session) : SieveCommand<KeysRotateSettings>(session)
{
    public const string Name = "keys rotate";

    public const string Summary = "add a new active master key to a keys file, keeping the old ones";

    public const string Usage = """
        Usage: sieve keys rotate --file FILE --id ID

        Adds a fresh random 256-bit master key ID to the keys FILE and makes it the active key. Keys already in the
        file stay, so pseudonyms made with them can still be derived; new pseudonyms use ID (their key ids say
        which master key made them). The file is rewritten with mode 0600. Prints key ids only.

        Options:
          --file FILE  the keys file to rotate (required)
          --id ID      id of the new key, not yet in the file, 1 to 64 of A-Z a-z 0-9 . _ - (required)

        Example:
          sieve keys rotate --file /etc/sieve/keys.json --id k2
        """;

    protected override Task<int> RunAsync(KeysRotateSettings settings, CancellationToken cancellationToken)
    {
        string path = settings.File!;
        string id = settings.Id!;

        MasterKeyRing before;
        try
        {
            before = MasterKeyRing.Load(path, null);
        }
        catch (KeyRingException e)
        {
            return Task.FromResult(ThrowHelper.Usage<int>(e.Message.TrimEnd('.') + "; give --file a keys file made by 'sieve keys generate'"));
        }

        if (before.TryGetKey(id, out _))
        {
            ThrowHelper.Usage($"key id '{id}' is already in '{path}'; choose a new id");
        }

        UnixFileMode? previousMode = OperatingSystem.IsWindows() ? null : File.GetUnixFileMode(path);
        JsonObject root = ReadObject(path);
        JsonNode fresh = JsonNode.Parse(KeyIds.Generate(id))!["keys"]![0]!.DeepClone();
        root["keys"]!.AsArray().Add(fresh);
        root["activeKeyId"] = id;
        KeysFileWriter.Write(path, root.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n", overwrite: true);

        MasterKeyRing after = KeyIds.LoadWritten(path);
        var ids = new List<string>(after.Keys.Count);
        foreach (MasterKey key in after.Keys)
        {
            ids.Add(key.Id);
        }

        PlainText.WriteLine(Console, $"rotated {path}: active key '{after.Active.Id}'; keys {string.Join(", ", ids)} (pseudonyms made with older keys stay derivable)");
        if (previousMode is { } mode && (mode & ~KeysFileWriter.OwnerOnly) != 0)
        {
            PlainText.WriteLine(Console, $"note: {path} was mode {Octal(mode)}; it is now 0600");
        }

        return Task.FromResult(ExitCodes.Ok);
    }

    private static JsonObject ReadObject(string path)
    {
        try
        {
            // Already validated by the key ring loader; comments, if any, are not kept.
            JsonNode? node = JsonNode.Parse(File.ReadAllText(path), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
            return node as JsonObject ?? ThrowHelper.Usage<JsonObject>($"'{path}' is not a keys file (not a JSON object)");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return ThrowHelper.Failure<JsonObject>($"cannot read '{path}' ({e.GetType().Name})");
        }
    }

    private static string Octal(UnixFileMode mode) => "0" + Convert.ToString((int)mode, 8).PadLeft(3, '0');
}

/// <summary>The options of <c>sieve keys rotate</c>.</summary>
internal sealed class KeysRotateSettings : SieveSettings
{
    /// <summary><c>--file FILE</c>: the keys file.</summary>
    [CommandOption("--file <FILE>")]
    public string? File { get; init; }

    /// <summary><c>--id ID</c>: the new key's id.</summary>
    [CommandOption("--id <ID>")]
    public string? Id { get; init; }

    protected override string CommandName => KeysRotateCommand.Name;

    public override ValidationResult Validate()
    {
        if (string.IsNullOrWhiteSpace(File))
        {
            return Required("--file", "FILE");
        }

        return string.IsNullOrWhiteSpace(Id) ? Required("--id", "ID") : ValidationResult.Success();
    }
}
