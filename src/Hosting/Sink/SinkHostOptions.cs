using Microsoft.AspNetCore.Builder;

namespace Sieve.Hosting.Sink;

/// <summary>What <see cref="SinkHost.Build"/> builds: arguments and where configuration files are.</summary>
public sealed class SinkHostOptions
{
    /// <summary>Command-line arguments (<c>--Sink:Root=/data/lake</c>).</summary>
    public string[] Args { get; init; } = [];

    /// <summary>The directory holding <c>appsettings.json</c>; the binary's directory when null.</summary>
    public string? ContentRootPath { get; init; }

    /// <summary>
    /// Runs on the builder after logging is set up and before any setting is read: add configuration sources or
    /// logging providers here (tests do).
    /// </summary>
    public Action<WebApplicationBuilder>? ConfigureBuilder { get; init; }
}
