using Microsoft.AspNetCore.Builder;

namespace Sieve.Hosting.Ingest;

/// <summary>What <see cref="IngestHost.Build"/> builds: arguments, where configuration files are, and which modules.</summary>
public sealed class IngestHostOptions
{
    /// <summary>Command-line arguments (<c>--Kafka:BootstrapServers=...</c>).</summary>
    public string[] Args { get; init; } = [];

    /// <summary>The directory holding <c>appsettings.json</c>; the binary's directory when null.</summary>
    public string? ContentRootPath { get; init; }

    /// <summary>The modules to host, in order.</summary>
    public IReadOnlyList<IIngestModule> Modules { get; init; } = [];

    /// <summary>
    /// Runs on the builder after logging is set up and before any setting is read: add configuration sources or
    /// logging providers here (tests do).
    /// </summary>
    public Action<WebApplicationBuilder>? ConfigureBuilder { get; init; }
}
