namespace Sieve.Testing;

/// <summary>Finds the repository root from the test binaries' location.</summary>
internal static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>The shipped policy file, <c>src/Core/Policy/default-policy.json</c>.</summary>
    public static string DefaultPolicy => Path.Combine(Root, "src", "Core", "Policy", "default-policy.json");

    private static string FindRoot()
    {
        string? dir = AppContext.BaseDirectory;
        while (dir is not null)
        {
            if (File.Exists(Path.Combine(dir, "Sieve.slnx")))
            {
                return dir;
            }

            dir = Path.GetDirectoryName(dir);
        }

        throw new InvalidOperationException("Repository root (Sieve.slnx) not found above " + AppContext.BaseDirectory);
    }
}
