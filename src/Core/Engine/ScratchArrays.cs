namespace Sieve.Core.Engine;

/// <summary>
/// One reusable array per byte length, for APIs that take a whole <c>byte[]</c> and copy it before returning
/// (the Kafka producer). A copy is valid until the next copy of the same length. Not thread-safe.
/// </summary>
internal sealed class ScratchArrays
{
    private const int MaxPooledLength = 4096;
    private readonly byte[]?[] _byLength = new byte[]?[MaxPooledLength + 1];

    /// <summary><paramref name="bytes"/> in an array of exactly their length.</summary>
    public byte[] Copy(ReadOnlySpan<byte> bytes)
    {
        byte[] array = Rent(bytes.Length);
        bytes.CopyTo(array);
        return array;
    }

    /// <summary>An array of exactly <paramref name="length"/> bytes, its content undefined.</summary>
    public byte[] Rent(int length) => length <= MaxPooledLength ? (_byLength[length] ??= new byte[length]) : new byte[length];
}
