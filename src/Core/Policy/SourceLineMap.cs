namespace Sieve.Core.Policy;

/// <summary>
/// Turns byte offsets in a UTF-8 document into one-based line and column numbers. Lines end at <c>\n</c> (a
/// preceding <c>\r</c> counts as part of the line); columns count characters (UTF-8 lead bytes), not bytes, so they
/// match what an editor shows even after non-ASCII text such as Chinese comments.
/// </summary>
internal sealed class SourceLineMap
{
    private readonly byte[] _text;
    private readonly int[] _lineStarts;

    public SourceLineMap(ReadOnlySpan<byte> utf8)
    {
        _text = utf8.ToArray();
        var starts = new List<int> { 0 };
        for (int i = 0; i < _text.Length; i++)
        {
            if (_text[i] == (byte)'\n')
            {
                starts.Add(i + 1);
            }
        }

        _lineStarts = starts.ToArray();
    }

    /// <summary>The one-based line and column of the byte at <paramref name="offset"/> (clamped to the document).</summary>
    public (int Line, int Column) PositionOf(long offset)
    {
        int at = (int)Math.Clamp(offset, 0, _text.Length);
        int line = Array.BinarySearch(_lineStarts, at);
        if (line < 0)
        {
            line = ~line - 1;
        }

        int column = 1;
        for (int i = _lineStarts[line]; i < at; i++)
        {
            if ((_text[i] & 0xC0) != 0x80)
            {
                column++;
            }
        }

        return (line + 1, column);
    }

    /// <summary>The byte offset of a zero-based line and zero-based byte position in it (as <see cref="System.Text.Json.JsonException"/> reports them).</summary>
    public long OffsetOf(long zeroBasedLine, long bytePositionInLine)
    {
        int line = (int)Math.Clamp(zeroBasedLine, 0, _lineStarts.Length - 1);
        return _lineStarts[line] + Math.Max(0, bytePositionInLine);
    }
}
