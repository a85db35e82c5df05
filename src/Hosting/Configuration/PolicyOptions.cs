using Microsoft.Extensions.Options;
using Sieve.Core.Policy;

namespace Sieve.Hosting.Configuration;

/// <summary>Where the policy is (section <c>Policy</c>).</summary>
public sealed class PolicyOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Policy";

    /// <summary><c>Policy:Path</c>: the policy file; the shipped default policy when not set.</summary>
    public string? Path { get; set; }
}

/// <summary>The compiled policy of <see cref="PolicyOptions"/>, loaded once on first use.</summary>
public sealed class PolicyProvider
{
    private readonly Lazy<CompiledPolicy> _policy;

    /// <summary>Creates the provider; nothing is read until <see cref="Policy"/> is.</summary>
    public PolicyProvider(IOptions<PolicyOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _policy = new Lazy<CompiledPolicy>(() =>
        {
            string? path = options.Value.Path;
            return string.IsNullOrWhiteSpace(path) ? PolicyLoader.LoadDefault() : PolicyLoader.LoadFile(path);
        });
    }

    /// <summary>The compiled policy.</summary>
    /// <exception cref="PolicyValidationException">The policy file is invalid (the message names file and line).</exception>
    public CompiledPolicy Policy => _policy.Value;
}
