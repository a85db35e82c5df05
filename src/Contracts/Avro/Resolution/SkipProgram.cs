using System.Buffers.Binary;
using System.Numerics;
using Avro;

namespace Sieve.Contracts.Avro.Resolution;

/// <summary>
/// A writer schema flattened into a byte program that reads past one value of it: records inline, unions, arrays
/// and maps as length-prefixed sub-programs. One loop interprets it with no virtual call per field, which is what
/// most of a resolved record costs (its unchanged fields are read past and copied in one piece). Recursive schemas
/// have no finite program; their fields keep the skip nodes.
/// </summary>
internal static class SkipProgram
{
    private const byte Int = 1;
    private const byte Long = 2;
    private const byte Boolean = 3;
    private const byte Fixed = 4; // then the size, 4 bytes
    private const byte LengthPrefixed = 5;
    private const byte Enum = 6; // then the symbol count, 4 bytes
    private const byte Union = 7; // then the branch count, 4 bytes, then per branch: its program's length (4 bytes) and the program
    private const byte Array = 8; // then the item program's length (4 bytes) and the program
    private const byte Map = 9; // the same, for values
    private const byte Optional = 10; // a two-branch union with null: then the null branch's index (1 byte), the other branch's program's length (4 bytes) and that program, inline

    /// <summary>The program for <paramref name="schemas"/> one after the other; false when one of them is recursive.</summary>
    public static bool TryCompile(IEnumerable<Schema> schemas, out byte[] program)
    {
        var output = new List<byte>();
        var path = new HashSet<Schema>(ReferenceEqualityComparer.Instance);
        foreach (Schema schema in schemas)
        {
            if (!TryAppend(schema, output, path))
            {
                program = [];
                return false;
            }
        }

        program = [.. output];
        return true;
    }

    /// <summary>Reads past the values <paramref name="program"/> describes.</summary>
    public static AvroStatus Run(ReadOnlySpan<byte> program, ref AvroReader reader, ref TranscodeBudget budget)
    {
        // The common cases (varints of up to 4 bytes for an int and 8 for a long, such as timestamps, short strings,
        // fixed sizes, ["null", T] indexes) are read here on a local position; anything else, and anything that does
        // not fit, takes the reader's own methods, which give the precise status.
        ReadOnlySpan<byte> buffer = reader.Buffer;
        int pos = reader.Position;
        int pc = 0;
        while (pc < program.Length)
        {
            byte op = program[pc];
            if ((uint)pos < (uint)buffer.Length)
            {
                byte b = buffer[pos];
                switch (op)
                {
                    case Int or Long when b < 0x80:
                        pos++;
                        pc++;
                        continue;
                    case Int or Long when WordVarintLength(buffer, pos) is int length && length <= (op == Int ? 4 : 8):
                        // 4 bytes carry 28 bits, which any int holds; 8 carry 56, which any long holds.
                        pos += length;
                        pc++;
                        continue;
                    case Boolean when b <= 1:
                        pos++;
                        pc++;
                        continue;
                    case LengthPrefixed when b < 0x80 && (b & 1) == 0 && (b >> 1) <= buffer.Length - pos - 1:
                        pos += 1 + (b >> 1);
                        pc++;
                        continue;
                    case Optional when b is 0 or 2:
                        pos++;
                        pc += 6 + ((b >> 1) == program[pc + 1] ? BinaryPrimitives.ReadInt32LittleEndian(program.Slice(pc + 2, 4)) : 0);
                        continue;
                }
            }

            if (op == Fixed && BinaryPrimitives.ReadInt32LittleEndian(program.Slice(pc + 1, 4)) is int size && size <= buffer.Length - pos)
            {
                pos += size;
                pc += 5;
                continue;
            }

            reader.Position = pos;
            AvroStatus status = Step(program, ref pc, ref reader, ref budget);
            if (status != AvroStatus.Ok)
            {
                return status;
            }

            pos = reader.Position;
        }

        reader.Position = pos;
        return AvroStatus.Ok;
    }

    /// <summary>
    /// The length of the varint at <paramref name="pos"/> when it ends within the 8 bytes read there as one word;
    /// <see cref="int.MaxValue"/> when fewer than 8 bytes are left or it is longer.
    /// </summary>
    private static int WordVarintLength(ReadOnlySpan<byte> buffer, int pos)
    {
        if (buffer.Length - pos < sizeof(ulong))
        {
            return int.MaxValue;
        }

        // A varint's last byte is the first without the continuation bit.
        ulong last = ~BinaryPrimitives.ReadUInt64LittleEndian(buffer[pos..]) & 0x8080_8080_8080_8080UL;
        return last == 0 ? int.MaxValue : (BitOperations.TrailingZeroCount(last) >> 3) + 1;
    }

    /// <summary>Runs the op at <paramref name="pc"/> with the reader's own methods.</summary>
    private static AvroStatus Step(ReadOnlySpan<byte> program, ref int pc, ref AvroReader reader, ref TranscodeBudget budget)
    {
        byte op = program[pc++];
        switch (op)
        {
            case Int:
                return reader.TryReadInt(out _);
            case Long:
                return reader.TryReadLong(out _);
            case Boolean:
                return reader.TryReadBoolean(out _);
            case LengthPrefixed:
                AvroStatus status = reader.TryReadLength(out int length, int.MaxValue);
                reader.Position += status == AvroStatus.Ok ? length : 0;
                return status;
            case Fixed:
                int size = Operand(program, ref pc);
                if (reader.Remaining < size)
                {
                    return AvroStatus.Truncated;
                }

                reader.Position += size;
                return AvroStatus.Ok;
            case Enum:
                return reader.TryReadEnum(Operand(program, ref pc), out _);
            case Optional:
                int nullIndex = program[pc];
                int bodyLength = BinaryPrimitives.ReadInt32LittleEndian(program.Slice(pc + 1, 4));
                pc += 5;
                status = reader.TryReadUnionIndex(2, out int index);
                if (index == nullIndex)
                {
                    pc += bodyLength;
                }

                return status;
            case Union:
                return RunUnion(program, ref pc, ref reader, ref budget);
            default:
                return RunCollection(program, ref pc, op == Map, ref reader, ref budget);
        }
    }

    private static AvroStatus RunUnion(ReadOnlySpan<byte> program, ref int pc, ref AvroReader reader, ref TranscodeBudget budget)
    {
        int branches = Operand(program, ref pc);
        AvroStatus status = reader.TryReadUnionIndex(branches, out int index);
        int branchStart = 0;
        int branchLength = 0;
        for (int b = 0; b < branches; b++)
        {
            int length = Operand(program, ref pc);
            if (b == index)
            {
                branchStart = pc;
                branchLength = length;
            }

            pc += length;
        }

        if (status != AvroStatus.Ok || branchLength == 0)
        {
            return status;
        }

        if (!budget.Enter())
        {
            return AvroStatus.NestingTooDeep;
        }

        status = Run(program.Slice(branchStart, branchLength), ref reader, ref budget);
        budget.Leave();
        return status;
    }

    private static AvroStatus RunCollection(ReadOnlySpan<byte> program, ref int pc, bool isMap, ref AvroReader reader, ref TranscodeBudget budget)
    {
        int length = Operand(program, ref pc);
        ReadOnlySpan<byte> item = program.Slice(pc, length);
        pc += length;
        if (!budget.Enter())
        {
            return AvroStatus.NestingTooDeep;
        }

        AvroStatus status = RunBlocks(item, isMap, ref reader, ref budget);
        budget.Leave();
        return status;
    }

    private static AvroStatus RunBlocks(ReadOnlySpan<byte> item, bool isMap, ref AvroReader reader, ref TranscodeBudget budget)
    {
        while (true)
        {
            AvroStatus status = budget.TryReadBlock(ref reader, out int count);
            if (status != AvroStatus.Ok || count == 0)
            {
                return status;
            }

            for (int i = 0; i < count; i++)
            {
                if (isMap)
                {
                    if ((status = reader.TryReadLength(out int keyLength, int.MaxValue)) != AvroStatus.Ok)
                    {
                        return status;
                    }

                    reader.Position += keyLength;
                }

                if ((status = Run(item, ref reader, ref budget)) != AvroStatus.Ok)
                {
                    return status;
                }
            }
        }
    }

    private static int Operand(ReadOnlySpan<byte> program, ref int pc)
    {
        int value = BinaryPrimitives.ReadInt32LittleEndian(program.Slice(pc, 4));
        pc += 4;
        return value;
    }

    private static bool TryAppend(Schema schema, List<byte> output, HashSet<Schema> path)
    {
        if (schema is LogicalSchema logical)
        {
            schema = logical.BaseSchema;
        }

        switch (schema)
        {
            case RecordSchema record:
                if (!path.Add(record))
                {
                    return false;
                }

                foreach (Field field in record.Fields)
                {
                    if (!TryAppend(field.Schema, output, path))
                    {
                        return false;
                    }
                }

                path.Remove(record);
                return true;
            case UnionSchema { Count: 2 } optional when optional[0].Tag == Schema.Type.Null || optional[1].Tag == Schema.Type.Null:
                int nullIndex = optional[0].Tag == Schema.Type.Null ? 0 : 1;
                var body = new List<byte>();
                if (!TryAppend(optional[1 - nullIndex], body, path))
                {
                    return false;
                }

                output.Add(Optional);
                output.Add((byte)nullIndex);
                AppendOperand(output, body.Count);
                output.AddRange(body);
                return true;
            case UnionSchema union:
                output.Add(Union);
                AppendOperand(output, union.Count);
                foreach (Schema branch in union.Schemas)
                {
                    if (!TryAppendSub(branch, output, path))
                    {
                        return false;
                    }
                }

                return true;
            case ArraySchema array:
                output.Add(Array);
                return TryAppendSub(array.ItemSchema, output, path);
            case MapSchema map:
                output.Add(Map);
                return TryAppendSub(map.ValueSchema, output, path);
            case EnumSchema e:
                output.Add(Enum);
                AppendOperand(output, e.Count);
                return true;
            case FixedSchema f:
                output.Add(Fixed);
                AppendOperand(output, f.Size);
                return true;
        }

        switch (schema.Tag)
        {
            case Schema.Type.Null:
                return true;
            case Schema.Type.Int:
                output.Add(Int);
                return true;
            case Schema.Type.Long:
                output.Add(Long);
                return true;
            case Schema.Type.Boolean:
                output.Add(Boolean);
                return true;
            case Schema.Type.Float:
                output.Add(Fixed);
                AppendOperand(output, 4);
                return true;
            case Schema.Type.Double:
                output.Add(Fixed);
                AppendOperand(output, 8);
                return true;
            default:
                output.Add(LengthPrefixed);
                return true;
        }
    }

    /// <summary>Appends a sub-program: its length, then its ops.</summary>
    private static bool TryAppendSub(Schema schema, List<byte> output, HashSet<Schema> path)
    {
        var sub = new List<byte>();
        if (!TryAppend(schema, sub, path))
        {
            return false;
        }

        AppendOperand(output, sub.Count);
        output.AddRange(sub);
        return true;
    }

    private static void AppendOperand(List<byte> output, int value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, value);
        output.AddRange(bytes);
    }
}
