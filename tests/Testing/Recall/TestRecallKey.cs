using Sieve.Core.Recall;

namespace Sieve.Testing.Recall;

/// <summary>A recall key made for this test run, and its key file (mode 0600) for services started with <c>Recall:KeyPath</c>.</summary>
public static class TestRecallKey
{
    private static readonly Lazy<(RecallKey Key, string Path)> Made = new(() =>
    {
        RecallKey key = RecallKey.Create("test-recall");
        string path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "sieve-test-recall-" + Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(path, RecallKeyFile.Write(key));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return (key, path);
    });

    /// <summary>The key.</summary>
    public static RecallKey Key => Made.Value.Key;

    /// <summary>Its key file.</summary>
    public static string Path => Made.Value.Path;
}
