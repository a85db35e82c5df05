using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Sieve.Hosting.Configuration;

/// <summary>Runs the start-up validation of every registered setting now, and reads settings through it.</summary>
public static class SettingsValidation
{
    /// <summary>
    /// Validates every option registered with <c>ValidateOnStart</c> (what the host would do on start), turning the
    /// framework's validation errors into one <see cref="SettingsException"/>.
    /// </summary>
    /// <exception cref="SettingsException">A setting is missing or wrong.</exception>
    public static void ValidateNow(IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(services);
        Translate(() => services.GetService<IStartupValidator>()?.Validate());
    }

    /// <summary>Runs <paramref name="action"/>, turning options validation errors into a <see cref="SettingsException"/>.</summary>
    /// <exception cref="SettingsException">A setting is missing or wrong.</exception>
    public static void Translate(Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
        try
        {
            action();
        }
        catch (Exception e) when (SettingsException.From(e) is { } settings)
        {
            throw settings;
        }
    }

    /// <summary>
    /// Reads <typeparamref name="T"/> from <paramref name="configuration"/> through the same registrations a host
    /// makes (<paramref name="register"/>), validated first. For tools and tests that need settings without a host.
    /// </summary>
    /// <exception cref="SettingsException">A setting is missing or wrong.</exception>
    public static T Resolve<T>(IConfiguration configuration, Action<IServiceCollection, IConfiguration> register)
        where T : notnull
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(register);
        var services = new ServiceCollection();
        services.AddSingleton(configuration);
        services.AddLogging();
        register(services, configuration);

        // Not disposed: the caller keeps what it read (a key ring, say) for as long as it needs it.
        ServiceProvider provider = services.BuildServiceProvider();
        ValidateNow(provider);
        T result = default!;
        Translate(() => result = provider.GetRequiredService<T>());
        return result;
    }
}
