using Confluent.Kafka;
using Sieve.Core.Engine;

namespace Sieve.Tests.Kafka;

public sealed class BatchValueArenaTests
{
    private static readonly SerializationContext Value = new(MessageComponentType.Value, "telematics.raw.v1");

    [Fact]
    public void Values_stay_readable_after_the_arena_grows()
    {
        var arena = new BatchValueArena(initialBytes: 8);
        var values = new List<ConsumedValue>();
        for (int i = 0; i < 50; i++)
        {
            byte[] bytes = Enumerable.Range(0, i + 1).Select(b => (byte)(i * 7 + b)).ToArray();
            values.Add(arena.Deserialize(bytes, isNull: false, Value));
        }

        for (int i = 0; i < 50; i++)
        {
            byte[] expected = Enumerable.Range(0, i + 1).Select(b => (byte)(i * 7 + b)).ToArray();
            Assert.Equal(expected, arena.Value(values[i]).ToArray());
        }

        Assert.Equal(50 * 51 / 2, arena.Used);
    }

    [Fact]
    public void A_null_value_reads_as_empty_and_an_empty_one_too()
    {
        var arena = new BatchValueArena();

        ConsumedValue none = arena.Deserialize(default, isNull: true, Value);
        ConsumedValue empty = arena.Deserialize([], isNull: false, Value);

        Assert.Equal(-1, none.Start);
        Assert.True(arena.Value(none).IsEmpty);
        Assert.True(arena.Value(empty).IsEmpty);
    }

    [Fact]
    public void Reset_starts_the_next_batch_at_the_beginning()
    {
        var arena = new BatchValueArena(initialBytes: 16);
        arena.Deserialize("first batch"u8, isNull: false, Value);

        arena.Reset();
        ConsumedValue next = arena.Deserialize("next"u8, isNull: false, Value);

        Assert.Equal(0, next.Start);
        Assert.Equal("next"u8.ToArray(), arena.Value(next).ToArray());
        Assert.Equal(4, arena.Used);
    }
}
