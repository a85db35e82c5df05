using System.Security.Cryptography;

namespace Sieve.Core.Recall;

/// <summary>
/// The registered recall approvers: each operator's ECDSA P-256 public key, from a folder of
/// <c>OPERATOR.pub.pem</c> files (as <c>sieve recall operator-key</c> writes them) or one such file.
/// </summary>
public sealed class ApproverRegistry : IDisposable
{
    /// <summary>The file name ending of a public key; the operator id is the name before it.</summary>
    public const string PublicKeySuffix = ".pub.pem";

    private readonly Dictionary<string, ECDsa> _keys;

    private ApproverRegistry(Dictionary<string, ECDsa> keys) => _keys = keys;

    /// <summary>The registered operator ids, sorted.</summary>
    public IReadOnlyList<string> Operators => [.. _keys.Keys.Order(StringComparer.Ordinal)];

    /// <summary>Loads the public keys at <paramref name="path"/> (a folder or one file).</summary>
    /// <exception cref="ArgumentException">The path holds no usable key, or a key that is not P-256; the message names the file.</exception>
    public static ApproverRegistry Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string[] files = Directory.Exists(path)
            ? Directory.GetFiles(path, "*" + PublicKeySuffix)
            : File.Exists(path) ? [path] : throw new ArgumentException($"'{path}' is neither a folder of {PublicKeySuffix} files nor such a file");
        var keys = new Dictionary<string, ECDsa>(StringComparer.Ordinal);
        foreach (string file in files.Order(StringComparer.Ordinal))
        {
            string name = Path.GetFileName(file);
            if (!name.EndsWith(PublicKeySuffix, StringComparison.Ordinal) || !RecallToken.IsValid(name[..^PublicKeySuffix.Length]))
            {
                throw new ArgumentException($"'{name}' is not named OPERATOR{PublicKeySuffix} with a valid operator id");
            }

            var key = ECDsa.Create();
            try
            {
                key.ImportFromPem(File.ReadAllText(file));
                if (key.KeySize != 256 || key.ExportParameters(false).Curve.Oid.Value != ECCurve.NamedCurves.nistP256.Oid.Value)
                {
                    throw new ArgumentException($"'{name}' is not an ECDSA P-256 public key");
                }
            }
            catch (CryptographicException)
            {
                key.Dispose();
                throw new ArgumentException($"'{name}' is not a PEM public key");
            }
            catch (ArgumentException)
            {
                key.Dispose();
                throw;
            }

            keys[name[..^PublicKeySuffix.Length]] = key;
        }

        return keys.Count == 0 ? throw new ArgumentException($"'{path}' holds no {PublicKeySuffix} file") : new ApproverRegistry(keys);
    }

    /// <summary>The public key of <paramref name="operatorId"/>, or null when it is not registered.</summary>
    public ECDsa? Find(string operatorId) => _keys.GetValueOrDefault(operatorId);

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (ECDsa key in _keys.Values)
        {
            key.Dispose();
        }
    }
}
