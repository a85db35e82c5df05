using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Sieve.Contracts.Identifiers;
using Sieve.Core.Consent;
using Sieve.Core.Gateways.Http;

namespace Sieve.Commands.PrivacyConsole;

/// <summary>
/// The privacy console's web server (Kestrel): sign-in, the four pages and the two actions. Pages are rendered on
/// the server as plain HTML with one stylesheet and SVG charts, no script; every response forbids framing, caching
/// and referrers, and the content security policy allows nothing from elsewhere.
/// </summary>
internal sealed partial class ConsoleServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConsoleOptions _options;
    private readonly ConsoleSources _sources;
    private readonly ConsoleSessions _sessions;
    private readonly SubjectLookups _lookups;
    private readonly ILogger _log;
    private readonly HashSet<string> _hosts;
    private readonly SemaphoreSlim _refusals = new(1, 1);
    private long _erasureRequests;
    private long _withdrawals;

    private ConsoleServer(WebApplication app, ConsoleOptions options, ConsoleSources sources)
    {
        _app = app;
        _options = options;
        _sources = sources;
        _sessions = new ConsoleSessions(options.Token, options.Time);
        _lookups = new SubjectLookups(options.LookupLifetime, options.Time);

        // On loopback, only loopback names: a page elsewhere that rebinds its own name to 127.0.0.1 is refused.
        _hosts = IPAddress.IsLoopback(options.Listen.Address) ? new HashSet<string>(["127.0.0.1", "localhost", "[::1]", "::1"], StringComparer.OrdinalIgnoreCase) : [];
        _log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Sieve.Console");
    }

    /// <summary>The address it serves, e.g. <c>http://127.0.0.1:8090/</c>.</summary>
    public Uri Url { get; private set; } = null!;

    /// <summary>Subjects looked up since start.</summary>
    public long Lookups => _lookups.Count;

    /// <summary>Erasure requests published since start.</summary>
    public long ErasureRequests => Interlocked.Read(ref _erasureRequests);

    /// <summary>Consent withdrawals published since start.</summary>
    public long Withdrawals => Interlocked.Read(ref _withdrawals);

    /// <summary>Starts serving <paramref name="options"/>.</summary>
    /// <param name="options">What to serve.</param>
    /// <param name="logging">Where logs go; null for the console (Sieve's lines at Information, the framework's at Warning).</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <exception cref="CliException">Redis cannot be reached, or the address cannot be bound.</exception>
    public static async Task<ConsoleServer> StartAsync(ConsoleOptions options, Action<ILoggingBuilder>? logging, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ConsoleSources sources = await ConsoleSources.OpenAsync(options).ConfigureAwait(false);
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ContentRootPath = AppContext.BaseDirectory,
            Args = [],

            // Never Development (its exception page shows headers and cookies), whatever the environment says.
            EnvironmentName = Environments.Production,
        });

        // Only what the command line says: no appsettings file or environment variable adds a listener or a log sink.
        builder.Configuration.Sources.Clear();
        builder.Logging.ClearProviders();
        if (logging is not null)
        {
            logging(builder.Logging);
        }
        else
        {
            builder.Logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss.fff ";
            });
            builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        }

        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Listen(options.Listen);
            k.Limits.MaxRequestBodySize = 64 * 1024;
        });

        WebApplication app = builder.Build();
        var server = new ConsoleServer(app, options, sources);
        server.Map(app);
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            await sources.DisposeAsync().ConfigureAwait(false);
            throw new CliException(ExitCodes.Failure, $"cannot listen on {options.Listen} ({e.GetType().Name}); is another process using it? give --listen HOST:PORT");
        }

        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.Url = new Uri(address.EndsWith('/') ? address : address + "/");
        ConsoleLog.Started(server._log, server.Url.ToString(), IPAddress.IsLoopback(options.Listen.Address));
        return server;
    }

    /// <summary>Stops serving and forgets every session and lookup.</summary>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        await _sources.DisposeAsync().ConfigureAwait(false);
        _refusals.Dispose();
        ConsoleLog.Stopped(_log, _lookups.Count, ErasureRequests, Withdrawals);
    }

    private void Map(WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            IHeaderDictionary headers = context.Response.Headers;
            headers.ContentSecurityPolicy = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
            headers.XFrameOptions = "DENY";
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "no-referrer";
            headers.CacheControl = "no-store";
            if (_hosts.Count > 0 && !_hosts.Contains(context.Request.Host.Host))
            {
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                await context.Response.WriteAsync("The console answers only to its loopback address.").ConfigureAwait(false);
                return;
            }

            string path = context.Request.Path.Value ?? "/";
            if (path is "/login" or "/console.css" || SessionOf(context) is not null)
            {
                await next(context).ConfigureAwait(false);
                return;
            }

            if (BearerToken.TryRead(context.Request.Headers.Authorization, out ReadOnlySpan<char> token) && _sessions.IsToken(token.ToString()))
            {
                context.Items[SessionItem] = _sessions.ForOneRequest();
                await next(context).ConfigureAwait(false);
                return;
            }

            context.Response.Redirect("/login");
        });

        app.MapGet("/console.css", static () => Results.Text(ConsolePages.Stylesheet, "text/css; charset=utf-8"));
        app.MapGet("/login", static () => Html(ConsolePages.Login(problem: null)));
        app.MapPost("/login", (Func<HttpContext, Task<IResult>>)SignInAsync);
        app.MapPost("/logout", (Func<HttpContext, Task<IResult>>)SignOutAsync);
        app.MapGet("/", static () => Results.Redirect("/subjects"));
        app.MapGet("/subjects", (HttpContext context) => Html(ConsolePages.Lookup(Csrf(context), problem: null)));
        app.MapPost("/subjects", (Func<HttpContext, Task<IResult>>)LookUpAsync);
        app.MapGet("/subjects/{handle}", SubjectAsync);
        app.MapGet("/subjects/{handle}/erase", ConfirmErasure);
        app.MapPost("/subjects/{handle}/erase", EraseAsync);
        app.MapGet("/subjects/{handle}/withdraw/{purpose}", ConfirmWithdrawal);
        app.MapPost("/subjects/{handle}/withdraw/{purpose}", WithdrawAsync);
        app.MapGet("/audit", (Func<HttpContext, Task<IResult>>)AuditAsync);
        app.MapGet("/erasure", (Func<HttpContext, Task<IResult>>)ErasureAsync);
        app.MapGet("/anonymity", (HttpContext context) => Html(ConsolePages.Anonymity(Csrf(context), _sources.Privacy())));
    }

    private const string SessionItem = "sieve.console.session";

    private static readonly TimeSpan FailedSignInDelay = TimeSpan.FromSeconds(1);

    private ConsoleSessions.Session? SessionOf(HttpContext context)
    {
        if (context.Items.TryGetValue(SessionItem, out object? cached) && cached is ConsoleSessions.Session known)
        {
            return known;
        }

        ConsoleSessions.Session? session = _sessions.Find(context.Request.Cookies[ConsoleSessions.CookieName]);
        if (session is not null)
        {
            context.Items[SessionItem] = session;
        }

        return session;
    }

    private string Csrf(HttpContext context) => SessionOf(context) is { } session ? session.Csrf : "";

    private async Task<IResult> SignInAsync(HttpContext context)
    {
        IFormCollection form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
        if (!_sessions.IsToken(form["token"].ToString()))
        {
            // A second per wrong token, one wrong token at a time: guessing stays slow however the attempts arrive,
            // in parallel too.
            ConsoleLog.SignInRefused(_log);
            await _refusals.WaitAsync(CancellationToken.None).ConfigureAwait(false);
            try
            {
                await Task.Delay(FailedSignInDelay, _options.Time, CancellationToken.None).ConfigureAwait(false);
            }
            finally
            {
                _refusals.Release();
            }

            return Html(ConsolePages.Login("That is not the console's token."), StatusCodes.Status401Unauthorized);
        }

        if (_sessions.Open() is not { } session)
        {
            return Html(ConsolePages.Login($"{ConsoleSessions.MaxSessions} sessions are open; sign out elsewhere or restart the console."), StatusCodes.Status503ServiceUnavailable);
        }

        context.Response.Cookies.Append(ConsoleSessions.CookieName, session.Id, new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Secure = context.Request.IsHttps,
            Path = "/",
        });
        ConsoleLog.SignedIn(_log);
        return Results.Redirect("/subjects");
    }

    private async Task<IResult> SignOutAsync(HttpContext context)
    {
        IFormCollection form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
        if (SessionOf(context) is { } session)
        {
            if (!session.Posted(form["csrf"]))
            {
                return Forbidden();
            }

            _lookups.Forget(session.Id);
            _sessions.Close(session.Id);
            context.Response.Cookies.Delete(ConsoleSessions.CookieName);
        }

        return Results.Redirect("/login");
    }

    private async Task<IResult> LookUpAsync(HttpContext context)
    {
        IFormCollection form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
        ConsoleSessions.Session session = SessionOf(context)!;
        if (!session.Posted(form["csrf"]))
        {
            return Forbidden();
        }

        if (!SubjectTypeNames.TryParse(form["type"].ToString(), out SubjectType type))
        {
            return Html(ConsolePages.Lookup(session.Csrf, "Choose the identifier's type."), StatusCodes.Status400BadRequest);
        }

        // The identifier is normalized (and so checked) here; the problem names the type and reason, never the value.
        if (!Consent.SubjectArguments.TryNormalize(form["id"].ToString(), type, out string normalizedId, out string? problem))
        {
            return Html(ConsolePages.Lookup(session.Csrf, "The identifier " + problem + "."), StatusCodes.Status400BadRequest);
        }

        if (_lookups.Add(session.Id, type, normalizedId, _sources.ConsentKey(type, normalizedId)) is not { } lookup)
        {
            return Html(ConsolePages.Lookup(session.Csrf, $"{SubjectLookups.MaxLookups} lookups are held; try again when some have expired."), StatusCodes.Status503ServiceUnavailable);
        }

        ConsoleLog.LookedUp(_log, SubjectTypeNames.NameOf(type), lookup.Handle);
        return Results.Redirect("/subjects/" + lookup.Handle, permanent: false, preserveMethod: false);
    }

    private async Task<IResult> SubjectAsync(HttpContext context, string handle, string? done)
    {
        if (Find(context, handle) is not { } lookup)
        {
            return Expired(context);
        }

        SubjectView view;
        try
        {
            view = await _sources.SubjectAsync(lookup, context.RequestAborted).ConfigureAwait(false);
        }
        catch (ConsentUnavailableException e)
        {
            return Unavailable(context, $"the consent store at {Consent.ConsentStoreConnection.Shown(_options.Redis)} cannot answer ({e.GetType().Name}); check that redis-server is running");
        }
        catch (Exception e) when (e is Confluent.Kafka.KafkaException or TimeoutException)
        {
            return Unavailable(context, $"the erasure topics cannot be read via {_options.Bootstrap} ({e.GetType().Name}); check the broker");
        }
        catch (Exception e) when (e is DuckDB.NET.Data.DuckDBException or IOException or UnauthorizedAccessException)
        {
            return Unavailable(context, $"the lake at {_options.Lake} cannot be read ({e.GetType().Name}); check that the directory is the Sink's lake root and readable; the page tries again on reload");
        }

        string? notice = done switch
        {
            "erasure" => "Erasure request published. It is listed below as pending until the Sink has carried it out; then its receipt shows what was removed.",
            "withdrawal" => "Withdrawal published. The consent table shows it once the consent loader has applied it.",
            _ => null,
        };
        return Html(ConsolePages.Subject(Csrf(context), lookup, view, _options.Policy, _options.Time.GetUtcNow(), notice));
    }

    private IResult ConfirmErasure(HttpContext context, string handle) =>
        Find(context, handle) is { } lookup ? Html(ConsolePages.ConfirmErasure(Csrf(context), lookup)) : Expired(context);

    private async Task<IResult> EraseAsync(HttpContext context, string handle)
    {
        IFormCollection form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
        if (Find(context, handle) is not { } lookup)
        {
            return Expired(context);
        }

        if (!SessionOf(context)!.Posted(form["csrf"]) || form["confirm"] != "yes")
        {
            return Forbidden();
        }

        // One request per lookup: a second click (or a resent form) finds the first.
        if (!lookup.ClaimErasure())
        {
            return Results.Redirect($"/subjects/{lookup.Handle}?done=erasure");
        }

        string requestId;
        try
        {
            requestId = await _sources.RequestErasureAsync(lookup).ConfigureAwait(false);
        }
        catch (CliException e)
        {
            lookup.Release();
            return Unavailable(context, e.Message);
        }
        catch
        {
            // Nothing was published: the claim goes back, so a later click asks again instead of finding no request.
            lookup.Release();
            throw;
        }

        Interlocked.Increment(ref _erasureRequests);
        ConsoleLog.ErasureRequested(_log, requestId, SubjectTypeNames.NameOf(lookup.Type));
        return Results.Redirect($"/subjects/{lookup.Handle}?done=erasure");
    }

    private IResult ConfirmWithdrawal(HttpContext context, string handle, string purpose)
    {
        if (Find(context, handle) is not { } lookup)
        {
            return Expired(context);
        }

        return ConsolePages.IsConsentPurpose(_options.Policy, purpose)
            ? Html(ConsolePages.ConfirmWithdrawal(Csrf(context), lookup, purpose))
            : Html(ConsolePages.Problem(Csrf(context), "No such purpose", "That purpose does not need consent in the policy, so there is nothing to withdraw."), StatusCodes.Status404NotFound);
    }

    private async Task<IResult> WithdrawAsync(HttpContext context, string handle, string purpose)
    {
        IFormCollection form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
        if (Find(context, handle) is not { } lookup)
        {
            return Expired(context);
        }

        if (!SessionOf(context)!.Posted(form["csrf"]) || form["confirm"] != "yes" || !ConsolePages.IsConsentPurpose(_options.Policy, purpose))
        {
            return Forbidden();
        }

        // The withdrawal is keyed by the identifier on the consent topic: after an erasure (or once one was asked for)
        // it would put the identifier back behind the erasure's tombstones. The page hides the link; a confirmation
        // opened before the erasure must not get through either.
        try
        {
            if (lookup.ErasureClaimed || await _sources.IsErasedAsync(lookup, context.RequestAborted).ConfigureAwait(false))
            {
                return Html(ConsolePages.Problem(Csrf(context), "Subject erased",
                    "This subject was erased, or its erasure was asked for: nothing is published about it any more, a withdrawal included."), StatusCodes.Status409Conflict);
            }

            await _sources.WithdrawAsync(lookup, purpose).ConfigureAwait(false);
        }
        catch (ConsentUnavailableException e)
        {
            return Unavailable(context, $"the consent store at {Consent.ConsentStoreConnection.Shown(_options.Redis)} cannot answer ({e.GetType().Name}); check that redis-server is running");
        }
        catch (CliException e)
        {
            return Unavailable(context, e.Message);
        }

        Interlocked.Increment(ref _withdrawals);
        ConsoleLog.Withdrawn(_log, purpose, SubjectTypeNames.NameOf(lookup.Type));
        return Results.Redirect($"/subjects/{lookup.Handle}?done=withdrawal");
    }

    private async Task<IResult> AuditAsync(HttpContext context)
    {
        try
        {
            AuditSnapshot snapshot = await Task.Run(_sources.Audit.Refresh, context.RequestAborted).ConfigureAwait(false);
            return Html(ConsolePages.Audit(Csrf(context), snapshot, _options.AuditTopic));
        }
        catch (Exception e) when (e is Confluent.Kafka.KafkaException or TimeoutException)
        {
            return Unavailable(context, $"{_options.AuditTopic} cannot be read via {_options.Bootstrap} ({e.GetType().Name}); check the broker");
        }
    }

    private async Task<IResult> ErasureAsync(HttpContext context)
    {
        try
        {
            (IReadOnlyList<Core.Erasure.ErasureStatusEntry> entries, int undecodable) = await _sources.ErasuresAsync(context.RequestAborted).ConfigureAwait(false);
            return Html(ConsolePages.Erasures(Csrf(context), entries, undecodable, _options.ReceiptsTopic, _options.RequestsTopic));
        }
        catch (Exception e) when (e is Confluent.Kafka.KafkaException or TimeoutException)
        {
            return Unavailable(context, $"the erasure topics cannot be read via {_options.Bootstrap} ({e.GetType().Name}); check the broker");
        }
    }

    private SubjectLookups.Lookup? Find(HttpContext context, string handle) =>
        SessionOf(context) is { } session ? _lookups.Find(session.Id, handle) : null;

    private IResult Expired(HttpContext context) =>
        Html(ConsolePages.Problem(Csrf(context), "Lookup expired", $"Lookups are kept for {_options.LookupLifetime.TotalMinutes:0} minutes and only in the browser session that made them. Look the subject up again."),
            StatusCodes.Status404NotFound);

    private IResult Unavailable(HttpContext context, string problem)
    {
        ConsoleLog.Unavailable(_log, problem);
        return Html(ConsolePages.Problem(Csrf(context), "Not available", problem), StatusCodes.Status503ServiceUnavailable);
    }

    private static IResult Forbidden() => Results.Text("The form was not posted from this console session. Reload the page and try again.", "text/plain; charset=utf-8", statusCode: StatusCodes.Status403Forbidden);

    private static IResult Html(string page, int status = StatusCodes.Status200OK) => Results.Text(page, "text/html; charset=utf-8", statusCode: status);
}
