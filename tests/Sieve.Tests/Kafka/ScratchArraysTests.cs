using Sieve.Core.Engine;

namespace Sieve.Tests.Kafka;

public sealed class ScratchArraysTests
{
    [Fact]
    public void A_copy_has_exactly_the_bytes_and_their_length()
    {
        var scratch = new ScratchArrays();

        byte[] copy = scratch.Copy([1, 2, 3]);

        Assert.Equal(new byte[] { 1, 2, 3 }, copy);
    }

    [Fact]
    public void Copies_of_one_length_reuse_one_array_and_other_lengths_do_not_disturb_it()
    {
        var scratch = new ScratchArrays();

        byte[] first = scratch.Copy([1, 2, 3]);
        byte[] other = scratch.Copy([9, 9]);
        byte[] second = scratch.Copy([4, 5, 6]);

        Assert.Same(first, second);
        Assert.Equal(new byte[] { 4, 5, 6 }, second);
        Assert.Equal(new byte[] { 9, 9 }, other);
    }

    [Fact]
    public void A_long_copy_gets_its_own_array()
    {
        var scratch = new ScratchArrays();
        byte[] big = new byte[100_000];
        big[^1] = 7;

        byte[] first = scratch.Copy(big);
        byte[] second = scratch.Copy(big);

        Assert.NotSame(first, second);
        Assert.Equal(big, second);
    }
}
