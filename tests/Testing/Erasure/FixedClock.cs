namespace Sieve.Testing.Erasure;

/// <summary>A clock whose date is fixed (so key epochs and retention windows are known) while timers run on the system clock.</summary>
internal sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}
