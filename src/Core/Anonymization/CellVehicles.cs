using Sieve.Contracts.Avro;

namespace Sieve.Core.Anonymization;

/// <summary>
/// The <c>cellVehicles</c> field (<see cref="Policy.SlotKind.CellVehicles"/>), last in an anonymized purpose's record:
/// the consent stage writes it null (the single union-index byte 0); the release stage writes the count of the
/// record's (cell, bucket) in its place.
/// </summary>
internal static class CellVehicles
{
    /// <summary>
    /// Returns <paramref name="record"/> with its trailing null <c>cellVehicles</c> replaced by
    /// <paramref name="vehicles"/>; the record itself when the count is unknown (0), which stays null.
    /// </summary>
    /// <exception cref="InvalidOperationException">The record does not end with a null union.</exception>
    public static byte[] Append(byte[] record, long vehicles)
    {
        if (record.Length == 0 || record[^1] != 0)
        {
            throw new InvalidOperationException("an anonymized record does not end with a null 'cellVehicles'");
        }

        if (vehicles <= 0)
        {
            return record;
        }

        // Union index 1 and the zigzag varint of a long: at most 1 + 10 bytes.
        Span<byte> tail = stackalloc byte[11];
        var w = new AvroWriter(tail);
        w.WriteUnionIndex(1);
        w.WriteLong(vehicles);
        byte[] result = new byte[record.Length - 1 + w.Position];
        record.AsSpan(0, record.Length - 1).CopyTo(result);
        tail[..w.Position].CopyTo(result.AsSpan(record.Length - 1));
        return result;
    }
}
