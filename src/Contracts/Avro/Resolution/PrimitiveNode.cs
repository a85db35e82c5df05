namespace Sieve.Contracts.Avro.Resolution;

/// <summary>What a <see cref="PrimitiveNode"/> reads from the writer's bytes and what it writes for the reader.</summary>
internal enum PrimitiveOp : byte
{
    /// <summary>Nothing on either side.</summary>
    Null,
    /// <summary>An int, copied as it is (also an int read as long: both are zig-zag varints).</summary>
    Int,
    /// <summary>A long, copied as it is.</summary>
    Long,
    /// <summary>A boolean byte.</summary>
    Boolean,
    /// <summary>A fixed number of bytes (float, double, fixed), copied as they are.</summary>
    FixedSize,
    /// <summary>A length-prefixed string or bytes, copied as they are (string and bytes share the encoding).</summary>
    LengthPrefixed,
    /// <summary>An int read as float.</summary>
    IntToFloat,
    /// <summary>An int read as double.</summary>
    IntToDouble,
    /// <summary>A long read as float.</summary>
    LongToFloat,
    /// <summary>A long read as double.</summary>
    LongToDouble,
    /// <summary>A float read as double.</summary>
    FloatToDouble,
}

/// <summary>A primitive (or fixed) value: copied, promoted, or skipped when the reader has no place for it.</summary>
internal sealed class PrimitiveNode : ResolutionNode
{
    private readonly PrimitiveOp _op;
    private readonly int _size;
    private readonly bool _write;

    private PrimitiveNode(PrimitiveOp op, int size, bool write)
    {
        _op = op;
        _size = size;
        _write = write;
    }

    /// <inheritdoc />
    public override bool IsIdentity => _write && _op <= PrimitiveOp.LengthPrefixed;

    /// <summary>Copies or promotes a value.</summary>
    public static PrimitiveNode Transcoding(PrimitiveOp op, int size = 0) => new(op, size, write: true);

    /// <summary>Reads past a value the reader has no field for.</summary>
    public static PrimitiveNode Skipping(PrimitiveOp op, int size = 0) => new(op, size, write: false);

    /// <inheritdoc />
    public override AvroStatus Transcode(ref AvroReader reader, ref AvroWriter writer, ref TranscodeBudget budget)
    {
        int start = reader.Position;
        AvroStatus status;
        switch (_op)
        {
            case PrimitiveOp.Null:
                return AvroStatus.Ok;
            case PrimitiveOp.Int:
                status = reader.TryReadInt(out _);
                break;
            case PrimitiveOp.Long:
                status = reader.TryReadLong(out _);
                break;
            case PrimitiveOp.Boolean:
                status = reader.TryReadBoolean(out _);
                break;
            case PrimitiveOp.FixedSize:
                if (reader.Remaining < _size)
                {
                    return AvroStatus.Truncated;
                }

                reader.Position += _size;
                status = AvroStatus.Ok;
                break;
            case PrimitiveOp.LengthPrefixed:
                status = reader.TryReadLength(out int length, int.MaxValue);
                reader.Position += status == AvroStatus.Ok ? length : 0;
                break;
            default:
                return Promote(ref reader, ref writer);
        }

        if (status == AvroStatus.Ok && _write)
        {
            writer.WriteRaw(reader.Buffer[start..reader.Position]);
        }

        return status;
    }

    private AvroStatus Promote(ref AvroReader reader, ref AvroWriter writer)
    {
        AvroStatus status;
        switch (_op)
        {
            case PrimitiveOp.IntToFloat:
                status = reader.TryReadInt(out int i);
                Write(ref writer, (float)i);
                break;
            case PrimitiveOp.IntToDouble:
                status = reader.TryReadInt(out i);
                Write(ref writer, (double)i);
                break;
            case PrimitiveOp.LongToFloat:
                status = reader.TryReadLong(out long l);
                Write(ref writer, (float)l);
                break;
            case PrimitiveOp.LongToDouble:
                status = reader.TryReadLong(out l);
                Write(ref writer, (double)l);
                break;
            default:
                status = reader.TryReadFloat(out float f);
                Write(ref writer, (double)f);
                break;
        }

        return status;
    }

    private void Write(ref AvroWriter writer, float value)
    {
        if (_write)
        {
            writer.WriteFloat(value);
        }
    }

    private void Write(ref AvroWriter writer, double value)
    {
        if (_write)
        {
            writer.WriteDouble(value);
        }
    }
}
