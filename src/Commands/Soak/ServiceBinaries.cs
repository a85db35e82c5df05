namespace Sieve.Commands.Soak;

/// <summary>
/// Where the service executables a soak runs are: <c>Sieve.&lt;service&gt;.dll</c> in a given folder, or else the
/// build output of the source tree this tool was built from (<c>src/&lt;service&gt;/bin/&lt;configuration&gt;/&lt;framework&gt;</c>,
/// the configuration and framework of this tool's own build).
/// </summary>
internal static class ServiceBinaries
{
    /// <summary>The services a soak runs.</summary>
    public static readonly string[] Services = ["Ingest", "Minimizer", "Sink"];

    /// <summary>The path of <c>Sieve.&lt;service&gt;.dll</c>.</summary>
    /// <exception cref="CliException">It is not there; the message says how to build it.</exception>
    public static string Find(string service, string? folder)
    {
        string file = "Sieve." + service + ".dll";
        if (folder is not null)
        {
            string given = File.Exists(Path.Combine(folder, file)) ? Path.Combine(folder, file) : Path.Combine(folder, service, file);
            return File.Exists(given)
                ? given
                : throw new CliException(ExitCodes.Usage, "--services: no " + file + " in " + folder + " or " + Path.Combine(folder, service));
        }

        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        string framework = output.Name;
        string? configuration = output.Parent?.Name;
        DirectoryInfo? root = output;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Sieve.slnx")))
        {
            root = root.Parent;
        }

        if (root is null || configuration is null)
        {
            throw new CliException(ExitCodes.Usage, "the services are not beside this tool; give --services DIR (a folder holding " + file + ")");
        }

        string path = Path.Combine(root.FullName, "src", service, "bin", configuration, framework, file);
        return File.Exists(path)
            ? path
            : throw new CliException(ExitCodes.Usage, "the " + service + " service is not built at " + path + "; build the services first: dotnet build Sieve.slnx"
                + (configuration == "Debug" ? "" : " -c " + configuration));
    }
}
