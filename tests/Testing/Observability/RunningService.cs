using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Sieve.Hosting.Observability;

namespace Sieve.Testing.Observability;

/// <summary>A service's web application started in the test, with a client for its operations listener (<c>Metrics:Urls</c>).</summary>
internal sealed class RunningService : IAsyncDisposable
{
    private static readonly TimeSpan StopGuard = TimeSpan.FromSeconds(40);
    private readonly WebApplication _app;
    private bool _stopped;

    private RunningService(string name, WebApplication app, HttpClient ops)
    {
        Name = name;
        _app = app;
        Ops = ops;
    }

    public string Name { get; }

    /// <summary>Talks to the first operations listener.</summary>
    public HttpClient Ops { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>Starts <paramref name="app"/>; its <c>Metrics:Urls</c> must be <c>http://127.0.0.1:0</c>.</summary>
    public static async Task<RunningService> StartAsync(string name, WebApplication app)
    {
        await app.StartAsync();
        OpsSettings ops = app.Services.GetRequiredService<OpsSettings>();
        int port = ops.Listeners[0].BoundPort;
        Assert.True(port > 0, name + ": the metrics listener reports no bound port.");
        var client = new HttpClient { BaseAddress = new Uri("http://127.0.0.1:" + port + "/"), Timeout = TimeSpan.FromSeconds(30) };
        return new RunningService(name, app, client);
    }

    public async Task<PrometheusScrape> ScrapeAsync()
    {
        using HttpResponseMessage response = await Ops.GetAsync(OpsEndpoints.MetricsPath.TrimStart('/'));
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, Name + " /metrics answered " + response.StatusCode + ": " + text);
        return PrometheusScrape.Parse(text);
    }

    /// <summary>Scrapes until <paramref name="condition"/> holds; fails with the last scrape after <paramref name="timeout"/>.</summary>
    public async Task<PrometheusScrape> ScrapeUntilAsync(Func<PrometheusScrape, bool> condition, TimeSpan timeout, string what)
    {
        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        while (true)
        {
            PrometheusScrape scrape = await ScrapeAsync();
            if (condition(scrape))
            {
                return scrape;
            }

            if (System.Diagnostics.Stopwatch.GetElapsedTime(start) > timeout)
            {
                Assert.Fail(Name + ": not within " + timeout.TotalSeconds + " s: " + what + ". Last scrape:\n" + scrape.Text);
            }

            await Task.Delay(50);
        }
    }

    /// <summary>GETs <paramref name="path"/> on the operations listener: status and body.</summary>
    public async Task<(HttpStatusCode Status, string Body)> GetAsync(string path)
    {
        using HttpResponseMessage response = await Ops.GetAsync(path.TrimStart('/'));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Stops the service as the host does on SIGTERM.</summary>
    public async Task StopAsync()
    {
        if (!_stopped)
        {
            _stopped = true;
            await _app.StopAsync().WaitAsync(StopGuard);
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        finally
        {
            Ops.Dispose();
            await _app.DisposeAsync();
        }
    }
}
