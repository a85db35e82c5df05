namespace Sieve.Commands.Bench;

/// <summary>
/// The fan-out of the paced pass-through's inputs, filled level by level before each level is sent: its input
/// topics start empty and every input goes to a chosen partition, so the k-th input added for a partition is the
/// one at offset k. Written by the planning thread before the inputs are sent, read by the pass-through after.
/// </summary>
/// <param name="planCount">Number of purposes.</param>
/// <param name="partitions">Partitions of each input topic.</param>
/// <param name="capacity">Most inputs any one partition will get over the whole run.</param>
public sealed class PacedFanOut(int planCount, int partitions, int capacity) : IInputFanOut
{
    private readonly byte[][][] _masks = [Room(partitions, capacity), Room(partitions, capacity)];
    private readonly int[][] _next = [new int[partitions], new int[partitions]];

    /// <inheritdoc />
    public int PlanCount => planCount;

    /// <summary>Adds the mask of the next input sent to <paramref name="partition"/> of input topic <paramref name="input"/>.</summary>
    public void Add(int input, int partition, byte mask)
    {
        int offset = _next[input][partition];
        if (offset >= capacity)
        {
            throw new InvalidOperationException($"the paced pass-through planned more than {capacity} inputs for partition {partition}");
        }

        _masks[input][partition][offset] = mask;
        Volatile.Write(ref _next[input][partition], offset + 1);
    }

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">No input was planned at that offset: the input topic holds more than was sent.</exception>
    public byte Mask(int input, int partition, long offset)
    {
        if (offset < 0 || offset >= Volatile.Read(ref _next[input][partition]))
        {
            throw new InvalidOperationException($"the paced pass-through read offset {offset} of input {input} partition {partition}, where no input was planned: its input topics must start empty and take only what the bench sends");
        }

        return _masks[input][partition][offset];
    }

    private static byte[][] Room(int partitions, int capacity)
    {
        var room = new byte[partitions][];
        for (int p = 0; p < partitions; p++)
        {
            room[p] = new byte[capacity];
        }

        return room;
    }
}
