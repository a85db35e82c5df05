using System.Text;

namespace Sieve.Core.Policy;

/// <summary>
/// Loads, validates and compiles a policy file (format and rules: <c>src/Core/Policy/README.md</c>). Every
/// failure is a <see cref="PolicyValidationException"/> listing each problem as <c>file:line:column: problem</c>.
/// </summary>
public static class PolicyLoader
{
    /// <summary>Manifest resource name of the shipped policy in the Minimizer assembly.</summary>
    public const string DefaultResourceName = "policy/default-policy.json";

    /// <summary>Source name of the shipped policy.</summary>
    public const string DefaultSourceName = "embedded:default-policy.json";

    /// <summary>Largest policy document accepted, in bytes.</summary>
    public const int MaxPolicyBytes = PolicyCompiler.MaxPolicyBytes;

    /// <summary>Loads the policy file at <paramref name="path"/>; errors name the path as given.</summary>
    /// <exception cref="PolicyValidationException">The file cannot be read, is malformed, or breaks a rule.</exception>
    public static CompiledPolicy LoadFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        byte[] bytes;
        try
        {
            var info = new FileInfo(path);
            if (info.Exists && info.Length > MaxPolicyBytes)
            {
                throw new PolicyValidationException(path, [new PolicyError(path, 0, 0, $"the policy is larger than {MaxPolicyBytes} bytes")]);
            }

            bytes = File.ReadAllBytes(path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new PolicyValidationException(path, [new PolicyError(path, 0, 0, $"cannot read the policy file: {exception.Message}")]);
        }

        return PolicyCompiler.Compile(bytes, path);
    }

    /// <summary>Loads a policy from JSON text; errors name <paramref name="sourceName"/>.</summary>
    /// <exception cref="PolicyValidationException">The text is malformed or breaks a rule.</exception>
    public static CompiledPolicy LoadJson(string json, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(json);
        return PolicyCompiler.Compile(Encoding.UTF8.GetBytes(json), sourceName);
    }

    /// <summary>Loads a policy from UTF-8 JSON (a leading byte-order mark is ignored); errors name <paramref name="sourceName"/>.</summary>
    /// <exception cref="PolicyValidationException">The document is malformed or breaks a rule.</exception>
    public static CompiledPolicy LoadUtf8(ReadOnlySpan<byte> utf8Json, string sourceName) => PolicyCompiler.Compile(utf8Json, sourceName);

    /// <summary>Loads the policy shipped inside the Minimizer assembly (<see cref="DefaultResourceName"/>).</summary>
    /// <exception cref="PolicyValidationException">The shipped policy is invalid (a build defect the tests catch).</exception>
    public static CompiledPolicy LoadDefault()
    {
        using Stream stream = typeof(PolicyLoader).Assembly.GetManifestResourceStream(DefaultResourceName)
            ?? throw new InvalidOperationException($"The Minimizer assembly does not embed '{DefaultResourceName}'.");
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return PolicyCompiler.Compile(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), DefaultSourceName);
    }
}
