using System.Security.Cryptography;
using Sieve.Core.Recall;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Sieve.Commands.Recall;

/// <summary><c>sieve recall operator-key</c>: an approver's ECDSA P-256 key pair.</summary>
internal sealed class RecallOperatorKeyCommand(CliSession session) : SieveCommand<RecallOperatorKeySettings>(session)
{
    public const string Name = "recall operator-key";

    public const string Summary = "create a recall approver's signing key pair (private PEM 0600, public PEM)";

    public const string PrivateKeySuffix = ".key.pem";

    public const string Usage = $"""
        Usage: sieve recall operator-key --operator ID --out DIR [--force]

        Creates an ECDSA P-256 key pair for one recall approver: DIR/ID{PrivateKeySuffix} (PKCS#8, mode 0600; the
        approver keeps it) and DIR/ID{ApproverRegistry.PublicKeySuffix} (the public key; register it by copying it into the
        approvers folder that 'sieve recall resolve --approvers' reads).

        Options:
          --operator ID  the approver's operator id, 1 to 64 of A-Z a-z 0-9 . _ - (required)
          --out DIR      the folder to write both files to, which must exist (required)
          --force        replace existing files

        Example:
          sieve recall operator-key --operator alice --out ~/.sieve
        """;

    protected override Task<int> RunAsync(RecallOperatorKeySettings settings, CancellationToken cancellationToken)
    {
        string dir = settings.Out!;
        if (!Directory.Exists(dir))
        {
            ThrowHelper.Usage($"--out '{dir}' is not a folder");
        }

        string privatePath = Path.Combine(dir, settings.Operator + PrivateKeySuffix);
        string publicPath = Path.Combine(dir, settings.Operator + ApproverRegistry.PublicKeySuffix);
        OwnerOnlyFile.CheckWritable(privatePath, "--out", settings.Force);
        OwnerOnlyFile.CheckWritable(publicPath, "--out", settings.Force);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        OwnerOnlyFile.Write(privatePath, "--out", key.ExportPkcs8PrivateKeyPem() + "\n", settings.Force);
        try
        {
            File.WriteAllText(publicPath, key.ExportSubjectPublicKeyInfoPem() + "\n");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            ThrowHelper.Failure($"cannot write '{publicPath}' ({e.GetType().Name})");
        }

        PlainText.WriteLine(Console, $"created approver key pair for operator '{settings.Operator}': private {privatePath} (mode 0600), public {publicPath}");
        return Task.FromResult(ExitCodes.Ok);
    }
}

/// <summary>The options of <c>sieve recall operator-key</c>.</summary>
internal sealed class RecallOperatorKeySettings : SieveSettings
{
    /// <summary><c>--operator ID</c>.</summary>
    [CommandOption("--operator <ID>")]
    public string? Operator { get; init; }

    /// <summary><c>--out DIR</c>.</summary>
    [CommandOption("--out <DIR>")]
    public string? Out { get; init; }

    /// <summary><c>--force</c>.</summary>
    [CommandOption("--force")]
    public bool Force { get; init; }

    protected override string CommandName => RecallOperatorKeyCommand.Name;

    public override ValidationResult Validate()
    {
        if (Operator is null)
        {
            return Required("--operator", "ID");
        }

        if (!RecallToken.IsValid(Operator))
        {
            return ValidationResult.Error(RecallToken.Rule("--operator"));
        }

        return Out is null ? Required("--out", "DIR") : ValidationResult.Success();
    }
}
