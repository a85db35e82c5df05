using System.ComponentModel;

namespace Sieve.Testing.Interop;

/// <summary>
/// Runs the Node.js interop clients as child processes: tests/interop/sieve-client.mjs (kafkajs and avsc) and
/// tests/interop/registry-client.mjs (@kafkajs/confluent-schema-registry).
/// </summary>
internal static class NodeClient
{
    /// <summary>How to get Node.js and npm on the machines this project runs on.</summary>
    public const string InstallHint = "apt-get install -y nodejs npm";

    private static readonly SemaphoreSlim InstallGate = new(1, 1);
    private static readonly TimeSpan ToolProbeTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan InstallTimeout = TimeSpan.FromMinutes(5);

    /// <summary>tests/interop, the client's folder.</summary>
    public static string Directory { get; } = Path.Combine(RepoPaths.Root, "tests", "interop");

    /// <summary>
    /// Fails the test unless <c>node</c> and <c>npm</c> run; installs the client's packages with <c>npm ci</c>
    /// when node_modules is missing.
    /// </summary>
    public static async Task EnsureReadyAsync()
    {
        await RequireToolAsync("node");
        await RequireToolAsync("npm");
        await InstallGate.WaitAsync();
        try
        {
            if (System.IO.Directory.Exists(Path.Combine(Directory, "node_modules", "kafkajs"))
                && System.IO.Directory.Exists(Path.Combine(Directory, "node_modules", "avsc"))
                && System.IO.Directory.Exists(Path.Combine(Directory, "node_modules", "@kafkajs", "confluent-schema-registry")))
            {
                return;
            }

            ChildProcessResult install = await ChildProcess.RunAsync("npm", ["ci", "--no-audit", "--no-fund"], Directory, InstallTimeout);
            Assert.True(install.ExitCode == 0, "npm ci in tests/interop failed (it needs the npm registry): " + install.Describe());
        }
        finally
        {
            InstallGate.Release();
        }
    }

    /// <summary>Runs <c>node registry-client.mjs ARGS</c> (@kafkajs/confluent-schema-registry) in the client's folder.</summary>
    public static Task<ChildProcessResult> RunRegistryClientAsync(TimeSpan timeout, params string[] arguments) =>
        ChildProcess.RunAsync("node", ["registry-client.mjs", .. arguments], Directory, timeout);

    /// <summary>Runs <c>node sieve-client.mjs ARGS</c> in the client's folder.</summary>
    public static Task<ChildProcessResult> RunAsync(TimeSpan timeout, params string[] arguments) =>
        ChildProcess.RunAsync("node", ["sieve-client.mjs", .. arguments], Directory, timeout);

    private static async Task RequireToolAsync(string tool)
    {
        ChildProcessResult result;
        try
        {
            result = await ChildProcess.RunAsync(tool, ["--version"], Directory, ToolProbeTimeout);
        }
        catch (Win32Exception e)
        {
            Assert.Fail("'" + tool + "' is not installed or not on PATH (" + e.Message + "). Install Node.js 20+ and npm: " + InstallHint);
            return;
        }

        Assert.True(result.ExitCode == 0, "'" + tool + " --version' failed; reinstall with: " + InstallHint + "\n" + result.Describe());
        if (tool == "node")
        {
            // "v20.11.1": kafkajs and the client's node:test suite need Node.js 20 or later.
            string version = result.StandardOutput.Trim().TrimStart('v');
            int dot = version.IndexOf('.', StringComparison.Ordinal);
            Assert.True(dot > 0 && int.TryParse(version[..dot], out int major) && major >= 20,
                "Node.js 20 or later is required, found '" + result.StandardOutput.Trim() + "'. Install a newer one: " + InstallHint);
        }
    }
}
