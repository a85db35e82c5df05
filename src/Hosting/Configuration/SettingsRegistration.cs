using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Sieve.Hosting.Configuration;

/// <summary>
/// The one way a service reads a configuration section: an options class bound from the section, checked by
/// <see cref="IValidateOptions{TOptions}"/> validators (its data annotations always, plus any the caller adds) and
/// validated on start, so a wrong setting stops the host before anything listens or connects.
/// </summary>
public static class SettingsRegistration
{
    /// <summary>
    /// Registers <typeparamref name="TOptions"/> bound from section <paramref name="path"/> of
    /// <paramref name="configuration"/>, validated on start. Registering the same options twice binds them once.
    /// </summary>
    public static OptionsBuilder<TOptions> AddSettings<TOptions>(this IServiceCollection services, IConfiguration configuration, string path)
        where TOptions : class, new()
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        OptionsBuilder<TOptions> builder = services.AddOptions<TOptions>();
        if (services.Any(d => d.ServiceType == typeof(Registered<TOptions>)))
        {
            return builder;
        }

        services.AddSingleton(new Registered<TOptions>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>>(new AnnotatedSettingsValidator<TOptions>(path)));
        return builder
            .Configure(options =>
            {
                var failures = new List<string>();
                SettingsBinder.Bind(configuration.GetSection(path), path, options, failures);
                if (failures.Count > 0)
                {
                    throw new OptionsValidationException(Options.DefaultName, typeof(TOptions), failures);
                }
            })
            .ValidateOnStart();
    }

    /// <summary>Adds <typeparamref name="TValidator"/> as a validator of its options (once).</summary>
    public static IServiceCollection AddSettingsValidator<TOptions, TValidator>(this IServiceCollection services)
        where TOptions : class
        where TValidator : class, IValidateOptions<TOptions>
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>, TValidator>());
        return services;
    }

    /// <summary>Marks options registered by <see cref="AddSettings{TOptions}"/>.</summary>
    private sealed class Registered<TOptions>;
}
