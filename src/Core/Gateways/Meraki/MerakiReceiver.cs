using System.Diagnostics;
using System.Text;
using Microsoft.AspNetCore.Http;
using Sieve.Contracts.Identifiers;
using Sieve.Contracts.Records;
using Sieve.Core.Gateways.Events;
using Sieve.Core.Gateways.Http;

namespace Sieve.Core.Gateways.Meraki;

/// <summary>
/// The Meraki Scanning API v3 receiver. <c>GET</c> answers the configured validator (Meraki checks it before it
/// posts). <c>POST</c> takes a WiFi payload and turns each observation into a <c>WifiEvent</c> on the raw topic.
/// </summary>
/// <remarks>
/// Order of checks: body size (413), well-formed JSON (400 <c>invalid-json</c>), secret (401), version and type
/// (400), fields (400), network (403), the network's gateway's rate limit (429), identifiers (400), then Kafka
/// (202 once acknowledged, else 503). A post is all or nothing: one bad observation refuses the whole post, so a
/// 2xx always means every observation is on the topic.
/// </remarks>
internal sealed class MerakiReceiver
{
    /// <summary>The endpoint name in logs.</summary>
    public const string Endpoint = "meraki";

    private const string Source = "meraki";

    private readonly MerakiSettings _meraki;
    private readonly GatewaySettings _settings;
    private readonly WifiEventIds _eventIds;
    private readonly GatewayRateLimiter _rateLimiter;
    private readonly GatewayAnswers _answers;
    private readonly TimeProvider _time;
    private readonly byte[] _validator;

    /// <summary>Creates the receiver for the configured networks.</summary>
    public MerakiReceiver(GatewaySettings settings, WifiEventIds eventIds, GatewayRateLimiter rateLimiter, GatewayAnswers answers, TimeProvider time)
    {
        _settings = settings;
        _meraki = settings.Meraki ?? ThrowHelper.ThrowNotConfigured<MerakiSettings>("The Meraki receiver");
        _eventIds = eventIds;
        _rateLimiter = rateLimiter;
        _answers = answers;
        _time = time;
        _validator = Encoding.UTF8.GetBytes(_meraki.Validator);
    }

    /// <summary><c>GET</c>: the validator, as <c>text/plain</c>.</summary>
    public Task HandleValidatorAsync(HttpContext context)
    {
        context.Response.ContentType = "text/plain; charset=utf-8";
        context.Response.ContentLength = _validator.Length;
        return context.Response.Body.WriteAsync(_validator, context.RequestAborted).AsTask();
    }

    /// <summary><c>POST</c>: a Scanning API payload.</summary>
    public async Task HandlePostAsync(HttpContext context)
    {
        long started = Stopwatch.GetTimestamp();
        try
        {
            using RequestBody body = await RequestBody.ReadAsync(context, _settings.Limits.MerakiMaxBodyBytes).ConfigureAwait(false);
            if (body.TooLarge)
            {
                await _answers.RefuseAsync(context, Endpoint, new GatewayError(StatusCodes.Status413PayloadTooLarge, GatewayErrorCodes.BodyTooLarge), GatewayLog.Unattributed).ConfigureAwait(false);
                return;
            }

            Decision decision = Decide(body.Span);
            if (decision.Error is { } error)
            {
                if (error.Status == StatusCodes.Status429TooManyRequests)
                {
                    await _answers.RateLimitedAsync(context, Endpoint, decision.GatewayId, decision.RetryAfter).ConfigureAwait(false);
                }
                else
                {
                    await _answers.RefuseAsync(context, Endpoint, error, decision.GatewayId).ConfigureAwait(false);
                }

                return;
            }

            await _answers.PublishAsync(context, Endpoint, decision.Messages, decision.GatewayId, decision.RandomizedMacs).ConfigureAwait(false);
        }
        catch (Exception e) when (!context.RequestAborted.IsCancellationRequested)
        {
            await _answers.FailAsync(context, Endpoint, e).ConfigureAwait(false);
        }
        finally
        {
            _answers.Completed(context, Endpoint, started);
        }
    }

    /// <summary>Everything up to publishing, over the body span (which cannot cross an await).</summary>
    private Decision Decide(ReadOnlySpan<byte> json)
    {
        if (!MerakiEnvelope.TryRead(json, out MerakiEnvelope envelope, out GatewayError error))
        {
            return Decision.Refuse(error, GatewayLog.Unattributed);
        }

        if (envelope.Secret is null || !SecretMatch.Matches(envelope.Secret, _meraki.SecretHash))
        {
            return Decision.Refuse(new GatewayError(StatusCodes.Status401Unauthorized, GatewayErrorCodes.InvalidSecret), GatewayLog.Unattributed);
        }

        if (envelope.MajorVersion != 3)
        {
            return Decision.Refuse(GatewayError.BadRequest(
                envelope.HasVersion ? GatewayErrorCodes.UnsupportedVersion : GatewayErrorCodes.MissingField,
                MerakiFields.Version), GatewayLog.Unattributed);
        }

        if (!envelope.IsWifi)
        {
            return Decision.Refuse(GatewayError.BadRequest(
                envelope.HasType ? GatewayErrorCodes.UnsupportedType : GatewayErrorCodes.MissingField, MerakiFields.Type), GatewayLog.Unattributed);
        }

        long now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var reader = new MerakiPayloadReader(now, _settings.Limits.MerakiMaxObservations);
        if (!reader.TryRead(json, out MerakiPayload? payload, out error))
        {
            return Decision.Refuse(error, GatewayLog.Unattributed);
        }

        if (!_meraki.Networks.TryGetValue(payload!.NetworkId, out MerakiNetwork? network))
        {
            return Decision.Refuse(new GatewayError(StatusCodes.Status403Forbidden, GatewayErrorCodes.UnknownNetwork, MerakiFields.NetworkId), GatewayLog.Unattributed);
        }

        if (!_rateLimiter.TryAcquire(network.GatewayId, out TimeSpan retryAfter))
        {
            return new Decision(new GatewayError(StatusCodes.Status429TooManyRequests, GatewayErrorCodes.RateLimited), network.GatewayId, [], retryAfter, 0);
        }

        var messages = new List<RawMessage>(payload.Observations.Count);
        int randomizedMacs = 0;
        Span<byte> mac = stackalloc byte[IdentifierNormalizer.MaxNormalizedLength];
        for (int i = 0; i < payload.Observations.Count; i++)
        {
            MerakiObservation observation = payload.Observations[i];
            if (!WifiRecord.TryNormalizeMac(observation.ClientMac, i, mac, out int macLength, out error))
            {
                return Decision.Refuse(error, network.GatewayId);
            }

            long time = observation.EventTime!.Value;
            var record = new WifiEventData
            {
                EventId = _eventIds.Create(Source, network.NetworkId, mac[..macLength], time),
                GatewayId = network.GatewayId,
                OutletId = network.OutletId,
                EventTime = time,
                ClientMac = observation.ClientMac,
                Location = observation.HasCoordinates ? new GeoLocationData(observation.Latitude, observation.Longitude) : null,
                Rssi = observation.Rssi,
            };
            if (!WifiRecord.TryCreateMessage(record, _settings.WifiRawTopic, i, out RawMessage message, out error))
            {
                return Decision.Refuse(error, network.GatewayId);
            }

            messages.Add(message);
            if (WifiRecord.HasRandomizedMacSubject(record, mac[..macLength]))
            {
                randomizedMacs++;
            }
        }

        return new Decision(null, network.GatewayId, messages, TimeSpan.Zero, randomizedMacs);
    }

    /// <summary>The outcome of <see cref="Decide"/>: an error to answer, or messages to publish.</summary>
    private readonly record struct Decision(GatewayError? Error, string GatewayId, IReadOnlyList<RawMessage> Messages, TimeSpan RetryAfter, int RandomizedMacs)
    {
        public static Decision Refuse(GatewayError error, string gatewayId) => new(error, gatewayId, [], TimeSpan.Zero, 0);
    }
}
