using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Sieve.Contracts;
using Sieve.Contracts.Pseudonymization;
using Sieve.Core.Devices;
using Sieve.Core.Teltonika.Protocol;
using Sieve.Core.Teltonika.Server;
using Sieve.Hosting.Configuration;

namespace Sieve.Hosting.Ingest;

/// <summary>The Teltonika TCP endpoint's settings as configured (section <c>Ingest:Teltonika</c>).</summary>
public sealed class TeltonikaListenerOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = TeltonikaOptions.Section;

    /// <summary><c>Ingest:Teltonika:Port</c> (default 5027; 0 picks a free port).</summary>
    [Range(0, 65535)]
    public int Port { get; set; } = 5027;

    /// <summary><c>Ingest:Teltonika:BindAddress</c>: an IP address (default 127.0.0.1: loopback unless opened on purpose, e.g. 0.0.0.0).</summary>
    public string? BindAddress { get; set; }

    /// <summary><c>Ingest:Teltonika:MaxFrameBytes</c>.</summary>
    [Range(AvlPacketParser.MinFrameLength, AvlPacketParser.MaxFrameBytesLimit)]
    public int MaxFrameBytes { get; set; } = AvlPacketParser.DefaultMaxFrameBytes;

    /// <summary><c>Ingest:Teltonika:IdleTimeoutSeconds</c>.</summary>
    [Range(1, 86_400)]
    public int IdleTimeoutSeconds { get; set; } = 300;

    /// <summary><c>Ingest:Teltonika:MaxConnectionsPerAddress</c>.</summary>
    [Range(1, 1_000_000)]
    public int MaxConnectionsPerAddress { get; set; } = 256;

    /// <summary><c>Ingest:Teltonika:MaxConnections</c>: checked at start-up against the limit of open files (<see cref="OpenFilesValidator"/>).</summary>
    [Range(1, 1_000_000)]
    public int MaxConnections { get; set; } = TeltonikaOptions.DefaultMaxConnections;

    /// <summary><c>Ingest:Teltonika:EventIdMasterKeyId</c>: pins the master key event ids are derived from.</summary>
    public string? EventIdMasterKeyId { get; set; }

    /// <summary>Registers the endpoint's settings (validated on start) and the <see cref="TeltonikaOptions"/> made of them.</summary>
    internal static void Register(IServiceCollection services, IConfiguration configuration)
    {
        services.AddSettings<TeltonikaListenerOptions>(configuration, Section)
            .Validate(o => string.IsNullOrWhiteSpace(o.BindAddress) || IPAddress.TryParse(o.BindAddress.Trim(), out _),
                Section + ":BindAddress: must be an IP address (e.g. 0.0.0.0, ::, 127.0.0.1).");
        services.AddSettingsValidator<TeltonikaListenerOptions, OpenFilesValidator>();
        services.AddSettings<TopicsOptions>(configuration, TopicsOptions.Section);
        services.AddSingleton(sp =>
        {
            TeltonikaListenerOptions o = sp.GetRequiredService<IOptions<TeltonikaListenerOptions>>().Value;
            string topic = sp.GetRequiredService<IOptions<TopicsOptions>>().Value.TelematicsRaw;
            return new TeltonikaOptions
            {
                Port = o.Port,
                BindAddress = string.IsNullOrWhiteSpace(o.BindAddress) ? IPAddress.Loopback : IPAddress.Parse(o.BindAddress.Trim()),
                MaxFrameBytes = o.MaxFrameBytes,
                IdleTimeout = TimeSpan.FromSeconds(o.IdleTimeoutSeconds),
                MaxConnectionsPerAddress = o.MaxConnectionsPerAddress,
                MaxConnections = o.MaxConnections,
                EventIdMasterKeyId = string.IsNullOrWhiteSpace(o.EventIdMasterKeyId) ? null : o.EventIdMasterKeyId.Trim(),
                Topic = string.IsNullOrWhiteSpace(topic) ? Topics.TelematicsRaw : topic.Trim(),
            };
        });
    }
}

/// <summary>
/// Makes sure the process may hold <c>Ingest:Teltonika:MaxConnections</c> connections open, each one an open file,
/// with <see cref="OpenFileLimit.Reserve"/> files to spare: raises the soft limit of open files to the hard one where
/// that is needed, and fails start-up, naming <c>RLIMIT_NOFILE</c>, the limits and the files needed, where the hard
/// limit is too low.
/// </summary>
internal sealed class OpenFilesValidator : IValidateOptions<TeltonikaListenerOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, TeltonikaListenerOptions options)
    {
        string key = TeltonikaListenerOptions.Section + ":MaxConnections";
        if (options.MaxConnections < 1)
        {
            // Out of range: the annotations report it.
            return ValidateOptionsResult.Skip;
        }

        string what = string.Create(CultureInfo.InvariantCulture, $"{options.MaxConnections:N0} connections and {OpenFileLimit.Reserve:N0} other files");
        return OpenFileLimit.TryEnsure((long)options.MaxConnections + OpenFileLimit.Reserve, what, out string? problem)
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(key + ": " + problem + " Or lower " + key + ".");
    }
}

/// <summary>The device registry as configured (section <c>Devices</c>).</summary>
public sealed class DevicesOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Devices";

    /// <summary><c>Devices:Path</c>: a JSON or CSV registry file.</summary>
    public string? Path { get; set; }

    /// <summary><c>Devices:Redis</c>: a StackExchange.Redis configuration string.</summary>
    public string? Redis { get; set; }

    /// <summary><c>Devices:RedisKey</c>: the registry's hash (default <c>sieve:devices</c>).</summary>
    public string? RedisKey { get; set; }

    /// <summary><c>Devices:AcceptUnregistered</c>: let units in that the registry does not know (default false).</summary>
    public bool AcceptUnregistered { get; set; }

    /// <summary>
    /// <c>Devices:AcceptAnyValidImei</c>: with no registry, let any unit whose IMEI passes the Luhn check connect
    /// (default false: with no registry, every unit is refused). Not allowed with a registry, where
    /// <c>Devices:AcceptUnregistered</c> says the same.
    /// </summary>
    public bool AcceptAnyValidImei { get; set; }
}

/// <summary>
/// Chooses the device registry from <see cref="DevicesOptions"/>: <c>Devices:Path</c> (a JSON or CSV file), or
/// <c>Devices:Redis</c> (hash <c>Devices:RedisKey</c>, default <c>sieve:devices</c>), or neither: then no unit may
/// connect (<see cref="UnconfiguredDeviceRegistry"/>) unless <c>Devices:AcceptAnyValidImei</c> is true
/// (<see cref="LuhnDeviceRegistry"/>: any Luhn-valid IMEI). With a registry, only registered units may connect
/// unless <c>Devices:AcceptUnregistered</c> is true.
/// </summary>
public static class DeviceRegistryConfiguration
{
    /// <summary>Registers the settings (validated on start: one registry at most, and its file exists).</summary>
    public static void Register(IServiceCollection services, IConfiguration configuration)
    {
        services.AddSettings<DevicesOptions>(configuration, DevicesOptions.Section);
        services.AddSettingsValidator<DevicesOptions, DevicesOptionsValidator>();
    }

    /// <summary>Reads <paramref name="configuration"/> as the service does and creates the registry.</summary>
    /// <exception cref="SettingsException">A setting is wrong.</exception>
    /// <exception cref="DeviceRegistryFormatException">The registry file is malformed.</exception>
    public static IDeviceRegistry Create(IConfiguration configuration) =>
        SettingsValidation.Resolve<IDeviceRegistry>(configuration, (s, c) =>
        {
            Register(s, c);
            s.AddSingleton(sp => Create(sp.GetRequiredService<IOptions<DevicesOptions>>().Value));
        });

    /// <summary>Creates the registry <paramref name="options"/> (validated) choose.</summary>
    /// <exception cref="DeviceRegistryFormatException">The registry file is malformed.</exception>
    /// <exception cref="SettingsException">The registry file cannot be read.</exception>
    public static IDeviceRegistry Create(DevicesOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!string.IsNullOrWhiteSpace(options.Path))
        {
            try
            {
                return FileDeviceRegistry.Load(options.Path, options.AcceptUnregistered);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The exception's own message names the path; the setting's error names only the key.
                throw new SettingsException("Devices:Path", "the registry file cannot be read (" + e.GetType().Name + ").");
            }
        }

        if (!string.IsNullOrWhiteSpace(options.Redis))
        {
            string key = string.IsNullOrEmpty(options.RedisKey) ? RedisDeviceRegistry.DefaultHashKey : options.RedisKey;
            return RedisDeviceRegistry.Connect(options.Redis, key, options.AcceptUnregistered);
        }

        return options.AcceptAnyValidImei ? new LuhnDeviceRegistry() : new UnconfiguredDeviceRegistry();
    }

    /// <summary>
    /// Which units <paramref name="options"/> let connect, in words for the start-up log (setting names only, never a
    /// value), and whether that is open to anyone who reaches the port or closed to every unit (worth a warning).
    /// </summary>
    public static (string Mode, bool Warn) Describe(DevicesOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        string? registry = !string.IsNullOrWhiteSpace(options.Path) ? "Devices:Path"
            : !string.IsNullOrWhiteSpace(options.Redis) ? "Devices:Redis"
            : null;
        if (registry is null)
        {
            return options.AcceptAnyValidImei
                ? ("any unit with a Luhn-valid IMEI is accepted (Devices:AcceptAnyValidImei=true, no registry): anyone who reaches the port can write to the raw topic", true)
                : ("every unit is refused: no device registry; set Devices:Path or Devices:Redis, or Devices:AcceptAnyValidImei=true to accept any Luhn-valid IMEI", true);
        }

        return options.AcceptUnregistered
            ? ("units in the registry (" + registry + ") and any other Luhn-valid IMEI are accepted", true)
            : ("only units in the registry (" + registry + ") are accepted", false);
    }
}

/// <summary>
/// Checks <see cref="DevicesOptions"/>: one registry at most, a registry file that exists, and
/// <c>Devices:AcceptAnyValidImei</c> only without a registry.
/// </summary>
internal sealed class DevicesOptionsValidator : IValidateOptions<DevicesOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, DevicesOptions options)
    {
        if (!string.IsNullOrWhiteSpace(options.Path) && !string.IsNullOrWhiteSpace(options.Redis))
        {
            return ValidateOptionsResult.Fail("Devices:Path: cannot be set together with Devices:Redis; configure one device registry.");
        }

        if (options.AcceptAnyValidImei && (!string.IsNullOrWhiteSpace(options.Path) || !string.IsNullOrWhiteSpace(options.Redis)))
        {
            return ValidateOptionsResult.Fail("Devices:AcceptAnyValidImei: applies only without a device registry; with Devices:Path or Devices:Redis set Devices:AcceptUnregistered=true instead.");
        }

        return !string.IsNullOrWhiteSpace(options.Path) && !File.Exists(options.Path)
            ? ValidateOptionsResult.Fail("Devices:Path: no such file; set it to a JSON or CSV device registry.")
            : ValidateOptionsResult.Success;
    }
}

/// <summary>
/// Checks the keys event ids are derived from when the Teltonika endpoint loads its own ring: keys are configured,
/// they can be read (a <see cref="Sieve.Contracts.Pseudonymization.KeyRingException"/> stops the host here, before
/// anything connects), and <c>Ingest:Teltonika:EventIdMasterKeyId</c> names a key of the ring.
/// </summary>
internal sealed class EventIdKeysValidator(IOptions<TeltonikaListenerOptions> teltonika) : IValidateOptions<KeysOptions>
{
    /// <summary>What needs the keys, in the error when there are none.</summary>
    public const string Why = "no master keys for event ids";

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, KeysOptions options)
    {
        if (!KeyRingProvider.HasKeys(options))
        {
            return ValidateOptionsResult.Fail(KeyRingProvider.MissingFailure(Why));
        }

        // Read once more here (the ring the endpoint uses is read from the same settings when it is first needed).
        MasterKeyRing ring = KeyRingProvider.Load(options)!;
        string? keyId = teltonika.Value.EventIdMasterKeyId;
        return string.IsNullOrWhiteSpace(keyId) || ring.TryGetKey(keyId.Trim(), out _)
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(TeltonikaOptions.Section + ":EventIdMasterKeyId: the master key ring has no key with this id.");
    }
}
