using Sieve.Commands.Bench;
using Sieve.Simulation;

namespace Sieve.Tests.Bench;

public sealed class PacedFanOutTests
{
    [Fact]
    public void The_sender_routes_each_input_topic_round_robin_from_partition_0_and_plans_event_times_at_the_rate()
    {
        var fleet = new FleetSimulator(new FleetOptions { Vehicles = 50, Visitors = 20, Seed = 7 });
        var sender = new PacedSender("127.0.0.1:1", "t", "w", partitions: 3);

        var planned = PacedSender.Plan(fleet, new PacedLevel(Rate: 1000, Events: 40, Percent: 10), startMs: 1_000_000);
        (int Input, int Partition)[] routes = sender.Route(planned);

        Assert.Equal(40, routes.Length);
        int[] next = new int[2];
        for (int i = 0; i < routes.Length; i++)
        {
            int input = planned[i].Topic == Sieve.Contracts.Topics.TelematicsRaw ? 0 : 1;
            Assert.Equal(input, routes[i].Input);
            Assert.Equal(next[input], routes[i].Partition);
            next[input] = (next[input] + 1) % 3;
        }

        Assert.True(next[0] + next[1] > 0);
        // A second route of the same plan starts again at partition 0: every level does.
        Assert.Equal(routes, sender.Route(planned));
    }

    [Fact]
    public void Masks_are_read_back_at_the_offset_each_was_added_at_a_full_partition_is_refused_and_an_unplanned_offset_is_an_error()
    {
        var fanOut = new PacedFanOut(planCount: 5, partitions: 2, capacity: 2);

        fanOut.Add(0, 0, 0b1);
        fanOut.Add(0, 1, 0b10);
        fanOut.Add(1, 0, FanOut.QuarantineBit);
        fanOut.Add(0, 0, 0b101);

        Assert.Equal(5, fanOut.PlanCount);
        Assert.Equal(0b1, fanOut.Mask(0, 0, 0));
        Assert.Equal(0b101, fanOut.Mask(0, 0, 1));
        Assert.Equal(0b10, fanOut.Mask(0, 1, 0));
        Assert.Equal(FanOut.QuarantineBit, fanOut.Mask(1, 0, 0));
        InvalidOperationException full = Assert.Throws<InvalidOperationException>(() => fanOut.Add(0, 0, 1));
        Assert.Contains("partition 0", full.Message, StringComparison.Ordinal);
        InvalidOperationException unplanned = Assert.Throws<InvalidOperationException>(() => fanOut.Mask(0, 1, 1));
        Assert.Contains("offset 1 of input 0 partition 1, where no input was planned", unplanned.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => fanOut.Mask(1, 1, 0));
    }

    [Fact]
    public void The_copy_bit_of_the_last_copy_topic_is_the_quarantine_bit()
    {
        Assert.Equal(1, FanOut.CopyBit(0, 5));
        Assert.Equal(16, FanOut.CopyBit(4, 5));
        Assert.Equal(FanOut.QuarantineBit, FanOut.CopyBit(5, 5));
    }
}
