using Microsoft.Playwright;

namespace Sieve.IntegrationTests.Console;

/// <summary>
/// Debian's Chromium (<c>/usr/bin/chromium</c>) driven by Playwright: no browser is downloaded. Launched headless
/// with the flags a closed network needs (no background connections, no component updates).
/// </summary>
internal static class SystemChromium
{
    /// <summary>Where Debian's package puts it; <c>SIEVE_CHROMIUM</c> overrides.</summary>
    public static string ExecutablePath => Environment.GetEnvironmentVariable("SIEVE_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    /// <summary>Launches it, or fails naming the command that installs it.</summary>
    public static async Task<(IPlaywright Playwright, IBrowser Browser)> LaunchAsync()
    {
        if (!File.Exists(ExecutablePath))
        {
            Assert.Fail($"Chromium is not installed at {ExecutablePath}: sudo apt-get install -y chromium (.ci/run installs it when missing)");
        }

        IPlaywright playwright = await Playwright.CreateAsync();
        IBrowser browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
            ],
        });
        return (playwright, browser);
    }
}
