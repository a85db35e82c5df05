using System.Runtime.InteropServices;

namespace Sieve.Core.Teltonika.Protocol;

/// <summary>
/// One IO element of an AVL record: its id and its value. Fixed-size values (1, 2, 4 or 8 bytes, big-endian on the
/// wire) are held in <see cref="RawValue"/>; variable-size values of the Codec 8 Extended NX section are located by
/// <see cref="ValueOffset"/> and <see cref="Length"/> in the packet's data field (see <see cref="AvlPacket.ValueBytes"/>).
/// Whether a fixed-size value is signed depends on the IO id, so both readings are offered.
/// </summary>
[StructLayout(LayoutKind.Auto)]
public readonly struct AvlIoElement
{
    /// <summary>Creates an element.</summary>
    /// <param name="id">The AVL IO id.</param>
    /// <param name="length">Value size in bytes: 1, 2, 4 or 8 for fixed-size elements, 0 to 65535 for variable ones.</param>
    /// <param name="rawValue">The big-endian value read as unsigned (fixed-size elements); 0 for variable ones.</param>
    /// <param name="valueOffset">Index of the value's first byte in the packet's data field.</param>
    /// <param name="isVariable">True for elements of the NX section.</param>
    public AvlIoElement(ushort id, ushort length, ulong rawValue, int valueOffset, bool isVariable)
    {
        Id = id;
        Length = length;
        RawValue = rawValue;
        ValueOffset = valueOffset;
        IsVariable = isVariable;
    }

    /// <summary>The AVL IO id (e.g. 239 ignition, 66 external voltage).</summary>
    public ushort Id { get; }

    /// <summary>Value size in bytes.</summary>
    public ushort Length { get; }

    /// <summary>The fixed-size value as an unsigned number; 0 for variable-size elements.</summary>
    public ulong RawValue { get; }

    /// <summary>Index of the value's first byte in the packet's data field (the span that starts at the codec id).</summary>
    public int ValueOffset { get; }

    /// <summary>True for variable-size (NX section) elements, whose bytes are read with <see cref="AvlPacket.ValueBytes"/>.</summary>
    public bool IsVariable { get; }

    /// <summary>The fixed-size value read as unsigned.</summary>
    public ulong UnsignedValue => RawValue;

    /// <summary>The fixed-size value read as two's complement of its own width (1, 2, 4 or 8 bytes).</summary>
    public long SignedValue => Length switch
    {
        1 => (sbyte)(byte)RawValue,
        2 => (short)(ushort)RawValue,
        4 => (int)(uint)RawValue,
        _ => (long)RawValue,
    };
}
