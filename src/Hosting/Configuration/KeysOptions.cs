using Microsoft.Extensions.Options;
using Sieve.Contracts.Pseudonymization;

namespace Sieve.Hosting.Configuration;

/// <summary>Where the master keys are (section <c>Keys</c>, or the <c>SIEVE_MASTER_KEYS</c> environment variable).</summary>
public sealed class KeysOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Keys";

    /// <summary><c>Keys:Path</c>: the keys file (<c>sieve keys generate</c> makes one).</summary>
    public string? Path { get; set; }

    /// <summary><c>Keys:AllowDemoKey</c>: run on the built-in demo key when no keys are configured (default false).</summary>
    public bool AllowDemoKey { get; set; }
}

/// <summary>
/// The one place the services load the master key ring: <c>Keys:Path</c> or <c>SIEVE_MASTER_KEYS</c>, else the demo
/// key when <c>Keys:AllowDemoKey</c> is true. Loaded once on first use.
/// </summary>
public sealed class KeyRingProvider
{
    private readonly KeysOptions _options;
    private readonly Lazy<MasterKeyRing?> _ring;

    /// <summary>Creates the provider; nothing is read until a ring is asked for.</summary>
    public KeyRingProvider(IOptions<KeysOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _ring = new Lazy<MasterKeyRing?>(() => Load(_options));
    }

    /// <summary>True when keys are configured or the demo key is allowed.</summary>
    public static bool HasKeys(KeysOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return !string.IsNullOrWhiteSpace(options.Path)
            || !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(MasterKeyRing.EnvironmentVariable))
            || options.AllowDemoKey;
    }

    /// <summary>
    /// The failure line for missing keys: <paramref name="why"/> says what needs them, <paramref name="orElse"/> (may be
    /// null) names another way out.
    /// </summary>
    public static string MissingFailure(string why, string? orElse = null) =>
        SettingsProblems.Failure("Keys:Path", why + ". Set Keys:Path to a keys file (make one with `sieve keys generate`), or set "
            + MasterKeyRing.EnvironmentVariable + ", or Keys:AllowDemoKey=true for a demo" + (orElse is null ? "" : ", or " + orElse) + ".");

    /// <summary>The ring, or null when none is configured and the demo key is not allowed.</summary>
    /// <exception cref="KeyRingException">The configured keys cannot be read.</exception>
    public MasterKeyRing? TryGet() => _ring.Value;

    /// <summary>The ring.</summary>
    /// <param name="why">What needs the keys, for the error when there are none.</param>
    /// <exception cref="SettingsException">No keys are configured and the demo key is not allowed.</exception>
    /// <exception cref="KeyRingException">The configured keys cannot be read.</exception>
    public MasterKeyRing Get(string why)
    {
        if (_ring.Value is { } ring)
        {
            return ring;
        }

        string failure = MissingFailure(why);
        throw new SettingsException("Keys:Path", failure["Keys:Path: ".Length..]);
    }

    /// <summary>Loads the ring <paramref name="options"/> name, or null when none is configured and the demo key is not allowed.</summary>
    /// <exception cref="KeyRingException">The configured keys cannot be read.</exception>
    internal static MasterKeyRing? Load(KeysOptions options)
    {
        string? path = options.Path;
        string? variable = Environment.GetEnvironmentVariable(MasterKeyRing.EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(path) || !string.IsNullOrWhiteSpace(variable))
        {
            return MasterKeyRing.Load(string.IsNullOrWhiteSpace(path) ? null : path, variable);
        }

        return options.AllowDemoKey ? MasterKeyRing.CreateDemo() : null;
    }
}
