namespace Sieve.Contracts.Avro;

/// <summary>
/// A UTF-8 string located inside the buffer a record was decoded from: <see cref="Offset"/> is the index of its
/// first byte in that buffer and <see cref="Length"/> its byte count. A null (absent) string has
/// <see cref="Offset"/> = -1. Slices allocate nothing; resolve them with the same buffer the decoder read.
/// </summary>
public readonly record struct Utf8Slice(int Offset, int Length)
{
    /// <summary>The slice of an absent (Avro null) string.</summary>
    public static Utf8Slice Null => new(-1, 0);

    /// <summary>True when the field was Avro null.</summary>
    public bool IsNull => Offset < 0;

    /// <summary>The string's bytes within <paramref name="source"/>, the buffer the record was decoded from; empty when null.</summary>
    public ReadOnlySpan<byte> Of(ReadOnlySpan<byte> source) => IsNull ? default : source.Slice(Offset, Length);

    /// <summary>Materializes the string (allocates; not for hot paths). Null when the field was null.</summary>
    public string? ToString(ReadOnlySpan<byte> source) => IsNull ? null : System.Text.Encoding.UTF8.GetString(source.Slice(Offset, Length));
}

/// <summary>
/// An Avro array of strings located inside the decoded buffer: <see cref="Offset"/> is where the array's first
/// block header starts, <see cref="Count"/> the total number of items. The array was fully validated when decoded,
/// so enumerating it with <see cref="StringArrayEnumerator"/> cannot fail.
/// </summary>
public readonly record struct StringArraySlice(int Offset, int Count)
{
    /// <summary>The empty array.</summary>
    public static StringArraySlice Empty => new(-1, 0);

    /// <summary>Enumerates the items over <paramref name="source"/>, the buffer the record was decoded from.</summary>
    public StringArrayEnumerator Enumerate(ReadOnlySpan<byte> source) => new(source, this);
}

/// <summary>Enumerates a validated <see cref="StringArraySlice"/>; <see cref="Current"/> is the item's UTF-8 bytes.</summary>
public ref struct StringArrayEnumerator
{
    private readonly ReadOnlySpan<byte> _source;
    private int _position;
    private long _leftInBlock;
    private int _left;
    private ReadOnlySpan<byte> _current;

    internal StringArrayEnumerator(ReadOnlySpan<byte> source, StringArraySlice slice)
    {
        _source = source;
        _position = slice.Offset;
        _left = slice.Count;
        _leftInBlock = 0;
        _current = default;
    }

    /// <summary>The current item.</summary>
    public readonly ReadOnlySpan<byte> Current => _current;

    /// <summary>Makes this usable in foreach.</summary>
    public readonly StringArrayEnumerator GetEnumerator() => this;

    /// <summary>Advances to the next item; false after the last.</summary>
    public bool MoveNext()
    {
        if (_left == 0)
        {
            return false;
        }

        var reader = new AvroReader(_source) { Position = _position };
        while (_leftInBlock == 0)
        {
            // Validated at decode time: block headers here are well formed, so statuses are not re-checked.
            reader.TryReadLong(out long count);
            if (count < 0)
            {
                reader.TryReadLong(out _);
                count = -count;
            }

            _leftInBlock = count;
        }

        reader.TryReadString(out Utf8Slice item, int.MaxValue, validateUtf8: false);
        _current = item.Of(_source);
        _position = reader.Position;
        _leftInBlock--;
        _left--;
        return true;
    }
}
