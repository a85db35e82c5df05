using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Sieve.Contracts.Identifiers;
using Sieve.Contracts.Records;
using Sieve.Core.Gateways.Events;
using Sieve.Core.Gateways.Http;

namespace Sieve.Core.Gateways.Portal;

/// <summary>
/// The captive-portal API for dealers' own gateways: <c>POST /portal/v1/logins</c> (a phone-number SMS login) and
/// <c>POST /portal/v1/sessions</c> (a finished session with its visited domains). Each request is one record,
/// published as one <c>WifiEvent</c>.
/// </summary>
/// <remarks>
/// Order of checks: bearer token (401), the gateway's rate limit (429), body size (413), JSON and fields (400),
/// <c>gatewayId</c> and <c>outletId</c> against the token's gateway (403), identifiers (400), then Kafka (202 once
/// acknowledged, else 503).
/// </remarks>
internal sealed class PortalReceiver
{
    /// <summary>Path of the login endpoint.</summary>
    public const string LoginsPath = "/portal/v1/logins";

    /// <summary>Path of the session endpoint.</summary>
    public const string SessionsPath = "/portal/v1/sessions";

    private readonly GatewaySettings _settings;
    private readonly PortalAuthenticator _authenticator;
    private readonly WifiEventIds _eventIds;
    private readonly GatewayRateLimiter _rateLimiter;
    private readonly GatewayAnswers _answers;
    private readonly TimeProvider _time;

    /// <summary>Creates the receiver for the configured gateways.</summary>
    public PortalReceiver(GatewaySettings settings, WifiEventIds eventIds, GatewayRateLimiter rateLimiter, GatewayAnswers answers, TimeProvider time)
    {
        _settings = settings;
        _authenticator = new PortalAuthenticator(settings.PortalGateways);
        _eventIds = eventIds;
        _rateLimiter = rateLimiter;
        _answers = answers;
        _time = time;
    }

    /// <summary><c>POST /portal/v1/logins</c>.</summary>
    public Task HandleLoginAsync(HttpContext context) => HandleAsync(context, PortalRecordKind.Login, "portal-login");

    /// <summary><c>POST /portal/v1/sessions</c>.</summary>
    public Task HandleSessionAsync(HttpContext context) => HandleAsync(context, PortalRecordKind.Session, "portal-session");

    private async Task HandleAsync(HttpContext context, PortalRecordKind kind, string endpoint)
    {
        long started = Stopwatch.GetTimestamp();
        try
        {
            PortalGateway? gateway = _authenticator.Authenticate(context.Request);
            if (gateway is null)
            {
                await _answers.RefuseAsync(context, endpoint, new GatewayError(StatusCodes.Status401Unauthorized, GatewayErrorCodes.InvalidToken),
                    GatewayLog.Unattributed, bearer: true).ConfigureAwait(false);
                return;
            }

            if (!_rateLimiter.TryAcquire(gateway.GatewayId, out TimeSpan retryAfter))
            {
                await _answers.RateLimitedAsync(context, endpoint, gateway.GatewayId, retryAfter).ConfigureAwait(false);
                return;
            }

            using RequestBody body = await RequestBody.ReadAsync(context, _settings.Limits.PortalMaxBodyBytes).ConfigureAwait(false);
            if (body.TooLarge)
            {
                await _answers.RefuseAsync(context, endpoint, new GatewayError(StatusCodes.Status413PayloadTooLarge, GatewayErrorCodes.BodyTooLarge),
                    gateway.GatewayId).ConfigureAwait(false);
                return;
            }

            if (!TryBuild(body.Span, kind, endpoint, gateway, out RawMessage message, out bool randomizedMac, out GatewayError error))
            {
                await _answers.RefuseAsync(context, endpoint, error, gateway.GatewayId).ConfigureAwait(false);
                return;
            }

            await _answers.PublishAsync(context, endpoint, [message], gateway.GatewayId, randomizedMac ? 1 : 0).ConfigureAwait(false);
        }
        catch (Exception e) when (!context.RequestAborted.IsCancellationRequested)
        {
            await _answers.FailAsync(context, endpoint, e).ConfigureAwait(false);
        }
        finally
        {
            _answers.Completed(context, endpoint, started);
        }
    }

    private bool TryBuild(ReadOnlySpan<byte> json, PortalRecordKind kind, string source, PortalGateway gateway, out RawMessage message,
        out bool randomizedMac, out GatewayError error)
    {
        message = default;
        randomizedMac = false;
        var reader = new PortalRequestReader(_time.GetUtcNow().ToUnixTimeMilliseconds());
        if (!reader.TryRead(json, kind, out PortalRecord? record, out error))
        {
            return false;
        }

        if (!string.Equals(record!.GatewayId, gateway.GatewayId, StringComparison.Ordinal))
        {
            error = new GatewayError(StatusCodes.Status403Forbidden, GatewayErrorCodes.GatewayMismatch, PortalFields.GatewayId);
            return false;
        }

        if (!string.Equals(record.OutletId, gateway.OutletId, StringComparison.Ordinal))
        {
            error = new GatewayError(StatusCodes.Status403Forbidden, GatewayErrorCodes.OutletNotAllowed, PortalFields.OutletId);
            return false;
        }

        Span<byte> mac = stackalloc byte[IdentifierNormalizer.MaxNormalizedLength];
        if (!WifiRecord.TryNormalizeMac(record.ClientMac, -1, mac, out int macLength, out error))
        {
            return false;
        }

        bool session = kind == PortalRecordKind.Session;
        var data = new WifiEventData
        {
            EventId = _eventIds.Create(source, gateway.GatewayId, mac[..macLength], record.Time, record.End),
            GatewayId = gateway.GatewayId,
            OutletId = gateway.OutletId,
            EventTime = record.Time,
            ClientMac = record.ClientMac,
            PhoneNumber = record.PhoneNumber,
            DeviceId = record.DeviceId,
            Rssi = record.Rssi,
            VisitedDomains = record.VisitedDomains,
            DwellSeconds = session ? (int)((record.End - record.Time) / 1000) : null,
        };
        randomizedMac = WifiRecord.HasRandomizedMacSubject(data, mac[..macLength]);
        return WifiRecord.TryCreateMessage(data, _settings.WifiRawTopic, -1, out message, out error);
    }
}
