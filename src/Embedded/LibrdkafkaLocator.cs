using System.Reflection;
using System.Runtime.InteropServices;
using Confluent.Kafka;

namespace Sieve.Embedded;

/// <summary>
/// Finds the librdkafka file that Confluent.Kafka uses and routes this assembly's P/Invokes to that same file,
/// so the mock cluster and every Confluent client share one copy of the native library (one set of globals,
/// one allocator).
/// </summary>
/// <remarks>
/// On Debian the plain <c>librdkafka.so</c> of librdkafka.redist fails to load because it links libsasl2;
/// <c>centos8-librdkafka.so</c> is self-contained, so it is tried first on glibc Linux.
/// </remarks>
internal static class LibrdkafkaLocator
{
    /// <summary>The library name the <see cref="MockClusterNativeMethods"/> declarations use.</summary>
    internal const string LibraryName = "librdkafka";

    private static readonly Lock Gate = new();
    private static string? _loadedPath;

    /// <summary>
    /// Makes sure librdkafka is loaded (by Confluent.Kafka) and that this assembly's P/Invokes resolve to the same
    /// file. Returns the full path of that file.
    /// </summary>
    internal static string EnsureLoaded()
    {
        lock (Gate)
        {
            if (_loadedPath is not null)
            {
                return _loadedPath;
            }

            if (!Library.IsLoaded)
            {
                LoadIntoConfluent();
            }

            string path = FindMappedLibrary() ?? FirstLoadableCandidate();
            NativeLibrary.SetDllImportResolver(typeof(LibrdkafkaLocator).Assembly, Resolve);
            _loadedPath = path;
            return path;
        }
    }

    private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        string? path = _loadedPath;
        if (path is null || !string.Equals(libraryName, LibraryName, StringComparison.Ordinal))
        {
            return IntPtr.Zero;
        }

        // dlopen of an already loaded path returns the existing handle: no second copy is mapped.
        return NativeLibrary.Load(path);
    }

    /// <summary>
    /// Lets Confluent.Kafka load librdkafka its own way (which picks centos8-librdkafka.so from the output folder on
    /// glibc Linux); only if that fails, hands it explicit candidate paths.
    /// </summary>
    private static void LoadIntoConfluent()
    {
        try
        {
            Library.Load();
            return;
        }
        catch (DllNotFoundException)
        {
        }

        // Library.Load(path) P/Invokes dlopen from "libdl", and glibc 2.34+ systems (Debian 12 here) ship only
        // libdl.so.2, not libdl.so, so it throws there: it is the fallback, not the first choice.
        var failures = new List<string>();
        foreach (string candidate in Candidates())
        {
            if (!File.Exists(candidate))
            {
                continue;
            }

            try
            {
                Library.Load(candidate);
                return;
            }
            catch (DllNotFoundException e)
            {
                failures.Add(candidate + ": " + e.Message);
            }
        }

        throw new DllNotFoundException("librdkafka could not be loaded. " + string.Join("; ", failures));
    }

    /// <summary>Where /proc/self/maps is missing (not Linux): the first candidate file that loads.</summary>
    private static string FirstLoadableCandidate()
    {
        List<string> candidates = Candidates();
        foreach (string candidate in candidates)
        {
            if (File.Exists(candidate) && NativeLibrary.TryLoad(candidate, out _))
            {
                return candidate;
            }
        }

        throw new DllNotFoundException("librdkafka could not be loaded from any of: " + string.Join(", ", candidates));
    }

    /// <summary>The librdkafka file currently mapped into this process, read from /proc/self/maps (Linux only).</summary>
    private static string? FindMappedLibrary()
    {
        const string Maps = "/proc/self/maps";
        if (!File.Exists(Maps))
        {
            return null;
        }

        foreach (string line in File.ReadLines(Maps))
        {
            int slash = line.IndexOf('/', StringComparison.Ordinal);
            if (slash < 0)
            {
                continue;
            }

            string file = line[slash..];
            if (Path.GetFileName(file).Contains("librdkafka", StringComparison.Ordinal))
            {
                return file;
            }
        }

        return null;
    }

    private static List<string> Candidates()
    {
        string rid = RuntimeDirectory();
        string[] fileNames = NativeFileNames();
        var roots = new List<string> { AppContext.BaseDirectory };

        string? confluentDirectory = Path.GetDirectoryName(typeof(Library).Assembly.Location);
        if (!string.IsNullOrEmpty(confluentDirectory))
        {
            roots.Add(confluentDirectory);
        }

        // The NuGet package folder, for hosts whose output folder has no runtimes/ tree (e.g. single-file apps).
        string? packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES");
        if (string.IsNullOrEmpty(packages))
        {
            packages = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        }

        Version? version = typeof(Library).Assembly.GetName().Version;
        if (version is not null)
        {
            roots.Add(Path.Combine(packages, "librdkafka.redist", $"{version.Major}.{version.Minor}.{version.Build}"));
        }

        var candidates = new List<string>();
        foreach (string root in roots)
        {
            foreach (string fileName in fileNames)
            {
                string candidate = Path.GetFullPath(Path.Combine(root, "runtimes", rid, "native", fileName));
                if (!candidates.Contains(candidate))
                {
                    candidates.Add(candidate);
                }
            }
        }

        return candidates;
    }

    private static string RuntimeDirectory()
    {
        string arch = RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.Arm64 => "arm64",
            Architecture.X86 => "x86",
            _ => "x64",
        };
        if (OperatingSystem.IsWindows())
        {
            return "win-" + arch;
        }

        return OperatingSystem.IsMacOS() ? "osx-" + arch : "linux-" + arch;
    }

    private static string[] NativeFileNames()
    {
        if (OperatingSystem.IsWindows())
        {
            return ["librdkafka.dll"];
        }

        if (OperatingSystem.IsMacOS())
        {
            return ["librdkafka.dylib"];
        }

        bool musl = File.Exists("/etc/alpine-release");
        return musl
            ? ["alpine-librdkafka.so", "librdkafka.so"]
            : ["centos8-librdkafka.so", "librdkafka.so"];
    }
}
