namespace Sieve.Embedded;

/// <summary>The <c>dotnet</c> host to start a framework-dependent service with (<c>dotnet Sieve.&lt;service&gt;.dll</c>).</summary>
public static class DotnetHost
{
    /// <summary>
    /// <c>DOTNET_HOST_PATH</c> when it names a file (the SDK sets it for tests and tools it runs), else this process's
    /// own executable when that is <c>dotnet</c>, else <c>dotnet</c> from the PATH.
    /// </summary>
    public static string Path
    {
        get
        {
            string? host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
            if (!string.IsNullOrEmpty(host) && File.Exists(host))
            {
                return host;
            }

            string? current = Environment.ProcessPath;
            return current is not null && System.IO.Path.GetFileNameWithoutExtension(current) == "dotnet" ? current : "dotnet";
        }
    }
}
