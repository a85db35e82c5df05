using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Sieve.Contracts.Records;
using Sieve.Core.Publishing;

namespace Sieve.Core.Gateways.Http;

/// <summary>
/// The common ends of a gateway request: refuse with a logged reason, or publish and answer 202 only once Kafka
/// acknowledged every record (503 with <c>Retry-After</c> otherwise, so the gateway resends), and a last-resort
/// 500 that logs the exception type only. Every answer is counted in <see cref="GatewayMetrics"/>.
/// </summary>
internal sealed class GatewayAnswers(RawEventPublisher publisher, GatewaySettings settings, GatewayMetrics metrics, ILogger<GatewayAnswers> logger)
{
    /// <summary>The logger the gateway endpoints write to.</summary>
    public ILogger Logger => logger;

    /// <summary>Records the duration of a request that reached <paramref name="endpoint"/> at <paramref name="startedTimestamp"/>, once answered.</summary>
    public void Completed(HttpContext context, string endpoint, long startedTimestamp) =>
        metrics.Completed(endpoint, context.Response.StatusCode, startedTimestamp);

    /// <summary>Answers <paramref name="error"/> and logs its status and code.</summary>
    public Task RefuseAsync(HttpContext context, string endpoint, in GatewayError error, string gatewayId, bool bearer = false)
    {
        GatewayLog.Refused(logger, endpoint, error.Status, error.Code, gatewayId);
        metrics.Rejected(endpoint, error.Status, error.Code);
        return GatewayResponses.WriteErrorAsync(context, error, bearer);
    }

    /// <summary>Answers 429 with the bucket's <c>Retry-After</c>.</summary>
    public Task RateLimitedAsync(HttpContext context, string endpoint, string gatewayId, TimeSpan retryAfter)
    {
        GatewayLog.Refused(logger, endpoint, StatusCodes.Status429TooManyRequests, GatewayErrorCodes.RateLimited, gatewayId);
        metrics.Rejected(endpoint, StatusCodes.Status429TooManyRequests, GatewayErrorCodes.RateLimited);
        return GatewayResponses.WriteRetryLaterAsync(context, StatusCodes.Status429TooManyRequests, GatewayErrorCodes.RateLimited, retryAfter);
    }

    /// <summary>
    /// Publishes <paramref name="messages"/>; 202 once all are acknowledged, else 503 with <c>Retry-After</c>.
    /// <paramref name="randomizedMacs"/> of them have a randomized MAC as their subject (counted once accepted).
    /// </summary>
    public async Task PublishAsync(HttpContext context, string endpoint, IReadOnlyList<RawMessage> messages, string gatewayId, int randomizedMacs = 0)
    {
        long handedOver = Stopwatch.GetTimestamp();
        try
        {
            // Not the request's token: once records are handed to the producer they may be persisted whether or not
            // the gateway is still waiting, and the publish is bounded by the delivery timeout anyway.
            await publisher.PublishAsync(messages, CancellationToken.None).ConfigureAwait(false);
        }
        catch (RawPublishException e)
        {
            GatewayLog.KafkaUnavailable(logger, endpoint, messages.Count, gatewayId, e.Message);
            metrics.Rejected(endpoint, StatusCodes.Status503ServiceUnavailable, GatewayErrorCodes.KafkaUnavailable);
            await GatewayResponses.WriteRetryLaterAsync(
                context, StatusCodes.Status503ServiceUnavailable, GatewayErrorCodes.KafkaUnavailable, settings.RetryAfter).ConfigureAwait(false);
            return;
        }

        metrics.Accepted(endpoint, messages.Count, randomizedMacs, Stopwatch.GetElapsedTime(handedOver));
        GatewayLog.Accepted(logger, endpoint, messages.Count, gatewayId);
        await GatewayResponses.WriteAcceptedAsync(context, messages.Count).ConfigureAwait(false);
    }

    /// <summary>Logs an unexpected failure by type and answers 500 when the response has not started.</summary>
    public Task FailAsync(HttpContext context, string endpoint, Exception exception)
    {
        GatewayLog.Unexpected(logger, endpoint, exception.GetType().FullName ?? exception.GetType().Name);
        metrics.Rejected(endpoint, StatusCodes.Status500InternalServerError, GatewayErrorCodes.InternalError);
        if (context.Response.HasStarted)
        {
            return Task.CompletedTask;
        }

        context.Response.Clear();
        return GatewayResponses.WriteErrorAsync(context, new GatewayError(StatusCodes.Status500InternalServerError, GatewayErrorCodes.InternalError));
    }
}
