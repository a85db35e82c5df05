using Sieve.Contracts.Purposes;
using StackExchange.Redis;

namespace Sieve.Core.Consent;

// The consent view (IConsentView): positions recorded with each change, verified per server, checked before reads.
public sealed partial class RedisConsentStore
{
    /// <inheritdoc />
    public string? ConsentTopic => _options.ConsentTopic;

    /// <inheritdoc />
    public async Task<(bool Changed, bool Advanced)> ApplyAtAsync(ConsentUpdate update, int partition, long expected, long next,
        CancellationToken cancellationToken = default)
    {
        long reply = await EvaluateApplyAsync(update, [RedisConsentView.Partition(partition), expected, next], cancellationToken).ConfigureAwait(false);
        return ((reply & 1) == 1, (reply & 2) == 2);
    }

    /// <inheritdoc />
    public async Task<bool> AdvanceAsync(int partition, long expected, long next, CancellationToken cancellationToken = default)
    {
        RedisResult result = await EvaluateAsync("advance", RedisConsentView.AdvanceScript, ViewKeys(),
            [RedisConsentView.Partition(partition), expected, next], cancellationToken).ConfigureAwait(false);
        return (long)result == 1;
    }

    /// <inheritdoc />
    public async Task<long?> VerifyAsync(int partition, int partitions, long committed, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(partition);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(partitions, partition);
        RedisResult result = await EvaluateAsync("verify", RedisConsentView.VerifyScript, ViewKeys(),
            [RedisConsentView.Partition(partition), partitions, committed], cancellationToken).ConfigureAwait(false);
        long held = (long)result;
        return held < 0 ? null : held;
    }

    /// <inheritdoc />
    public async Task<ConsentViewState> ReadViewAsync(CancellationToken cancellationToken = default) =>
        RedisConsentView.ParseState(await EvaluateAsync("view", RedisConsentView.StateScript, ViewKeys(), [], cancellationToken).ConfigureAwait(false));

    // The view's key; the store was created without a consent topic when there is none.
    private RedisKey[] ViewKeys() => _viewKeys ?? ThrowHelper.ThrowNoConsentTopic();

    // Issued with a read, in the same pipelined round trip; null when the store reads without checking the view.
    private Task<RedisResult>? CheckViewAsync() =>
        _viewKeys is null ? null : _database.ScriptEvaluateAsync(RedisConsentView.StateScript, _viewKeys);

    // Throws when the view checked alongside a read is not whole: the read's answer may lack changes.
    private static void ThrowUnlessWhole(Task<RedisResult>? check)
    {
        if (check is null)
        {
            return;
        }

        ConsentViewState state = RedisConsentView.ParseState(check.Result);
        if (!state.IsWhole)
        {
            ThrowHelper.ThrowViewNotWhole(state);
        }
    }
}
