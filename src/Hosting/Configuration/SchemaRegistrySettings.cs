using Sieve.Core.Registry;

namespace Sieve.Hosting.Configuration;

/// <summary>Validation of <c>SchemaRegistry:*</c>, shared by the services that take it.</summary>
internal static class SchemaRegistrySettings
{
    /// <summary>The failure line for a <c>SchemaRegistry:Url</c> that is not a list of http(s) URLs.</summary>
    public static readonly string UrlFailure = SettingsProblems.Failure("SchemaRegistry:Url", "must be an http:// or https:// URL, or a comma-separated list of them.");

    /// <summary>True when no registry is configured, or every URL in <c>SchemaRegistry:Url</c> is http(s).</summary>
    public static bool IsValid(SchemaRegistryOptions options)
    {
        if (!options.IsSet)
        {
            return true;
        }

        foreach (string url in options.Url!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out Uri? uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                return false;
            }
        }

        return true;
    }
}
