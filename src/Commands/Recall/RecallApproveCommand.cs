using System.Globalization;
using System.Security.Cryptography;
using Sieve.Core.Recall;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Sieve.Commands.Recall;

/// <summary><c>sieve recall approve</c>: one approver signs a request.</summary>
internal sealed class RecallApproveCommand(CliSession session) : SieveCommand<RecallApproveSettings>(session)
{
    public const string Name = "recall approve";

    public const string Summary = "sign a recall resolution request as one approver";

    public const string Usage = """
        Usage: sieve recall approve --request REQUEST.json --operator ID --key PRIVATE.pem --out APPROVAL.json

        Signs the SHA-256 digest of the request's canonical bytes with the approver's ECDSA P-256 private key (made by
        'sieve recall operator-key') and writes the approval. Prints what was approved: the request id, campaign,
        legal basis, number of pseudonyms and digest. A resolution needs approvals of two different registered approvers.

        Options:
          --request FILE   the request ('sieve recall request') (required)
          --operator ID    the approver's operator id, the name of their registered public key (required)
          --key FILE       the approver's private key, PEM (required)
          --out FILE       where to write the approval, which must not exist (required)

        Example:
          sieve recall approve --request r2026-014.json --operator alice --key ~/.sieve/alice.key.pem --out r2026-014.alice.json
        """;

    protected override Task<int> RunAsync(RecallApproveSettings settings, CancellationToken cancellationToken)
    {
        RecallRequest request = RecallFiles.ReadRequest(settings.Request!);
        string pem = System.Text.Encoding.UTF8.GetString(RecallFiles.Read(settings.Key!, "--key"));
        using var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            ThrowHelper.Usage($"--key '{settings.Key}' is not a PEM private key; make one with 'sieve recall operator-key'");
        }

        if (key.KeySize != 256)
        {
            ThrowHelper.Usage($"--key '{settings.Key}' is not an ECDSA P-256 key");
        }

        RecallApproval approval;
        try
        {
            approval = RecallApproval.Sign(request, settings.Operator!, key, DateTimeOffset.UtcNow);
        }
        catch (CryptographicException)
        {
            return Task.FromResult(ThrowHelper.Usage<int>($"--key '{settings.Key}' holds no private key; give the approver's PRIVATE key"));
        }

        OwnerOnlyFile.Write(settings.Out!, "--out", approval.ToJson(), overwrite: false);
        PlainText.WriteLine(Console, string.Create(CultureInfo.InvariantCulture,
            $"approved request {request.RequestId} as operator '{approval.Operator}': campaign {request.Campaign}, {request.Pseudonyms.Count} pseudonyms, legal basis \"{request.LegalBasis}\", digest sha256:{request.DigestHex}; wrote {settings.Out}"));
        return Task.FromResult(ExitCodes.Ok);
    }
}

/// <summary>The options of <c>sieve recall approve</c>.</summary>
internal sealed class RecallApproveSettings : SieveSettings
{
    /// <summary><c>--request FILE</c>.</summary>
    [CommandOption("--request <FILE>")]
    public string? Request { get; init; }

    /// <summary><c>--operator ID</c>.</summary>
    [CommandOption("--operator <ID>")]
    public string? Operator { get; init; }

    /// <summary><c>--key FILE</c>.</summary>
    [CommandOption("--key <FILE>")]
    public string? Key { get; init; }

    /// <summary><c>--out FILE</c>.</summary>
    [CommandOption("--out <FILE>")]
    public string? Out { get; init; }

    protected override string CommandName => RecallApproveCommand.Name;

    public override ValidationResult Validate()
    {
        if (Request is null)
        {
            return Required("--request", "FILE");
        }

        if (Operator is null)
        {
            return Required("--operator", "ID");
        }

        if (!RecallToken.IsValid(Operator))
        {
            return ValidationResult.Error(RecallToken.Rule("--operator"));
        }

        if (Key is null)
        {
            return Required("--key", "FILE");
        }

        return Out is null ? Required("--out", "FILE") : ValidationResult.Success();
    }
}
