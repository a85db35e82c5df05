using Sieve.Contracts.Avro;
using Sieve.Contracts.Avro.Resolution;
using Sieve.Contracts.Records;
using Sieve.Contracts.Schemas;
using Sieve.Testing.Codec;

namespace Sieve.Tests.Allocation;

public class SchemaResolutionAllocationTests
{
    private const int MeasuredRecords = 10_000;

    [Fact]
    public void Reading_an_earlier_or_newer_writer_schema_allocates_nothing_per_record()
    {
        SchemaInfo earlier = EvolvedSchemas.TelematicsWithoutDriver();
        SchemaInfo newer = EvolvedSchemas.TelematicsWithTripId();
        var writers = new WriterSchemaSet(EvolvedSchemas.Telematics, [earlier, newer]);
        var random = new RandomRecords(seed: 8);
        byte[][] messages = new byte[64][];
        byte[] scratch = new byte[RecordLimits.MaxMessageBytes * 2];
        for (int i = 0; i < messages.Length;)
        {
            // Random records the current codec refuses (an empty VIN, a string past its cap) are not what is measured.
            TelematicsEventData data = random.Telematics();
            byte[] message = EvolvedSchemas.Message(i % 2 == 0 ? earlier : newer, data, new Dictionary<string, object?> { ["tripId"] = "t" + i });
            if (data.Vin.Length > 0 && TelematicsEventCodec.TryReadMessage(data.ToMessage(), out _) == AvroStatus.Ok)
            {
                messages[i++] = message;
            }
        }

        Assert.Equal(MeasuredRecords, Run(messages, writers, scratch));
        Assert.Equal(MeasuredRecords, Run(messages, writers, scratch));

        long before = GC.GetAllocatedBytesForCurrentThread();
        int read = Run(messages, writers, scratch);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(MeasuredRecords, read);
        Assert.Equal(0, allocated);
    }

    private static int Run(byte[][] messages, WriterSchemaSet writers, byte[] scratch)
    {
        int read = 0;
        for (int i = 0; i < MeasuredRecords; i++)
        {
            if (TelematicsEventCodec.TryReadMessage(messages[i % messages.Length], writers, scratch, out TelematicsEvent e, out ReadOnlySpan<byte> source) == AvroStatus.Ok
                && e.Vin.Of(source).Length > 0)
            {
                read++;
            }
        }

        return read;
    }
}
