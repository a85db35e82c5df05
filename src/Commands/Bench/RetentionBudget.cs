using System.Globalization;

namespace Sieve.Commands.Bench;

/// <summary>
/// Whether a run fits the mock cluster's retention: each partition keeps about 5 MiB, and older batches are
/// dropped, so everything a run pre-produces or writes (and reads back afterwards) must fit. Inputs are counted
/// exactly per partition; keyed outputs are spread by hash, so their share per partition gets a 25 % margin.
/// </summary>
public static class RetentionBudget
{
    /// <summary>What one mock partition keeps.</summary>
    public const long PartitionBytes = 5L * 1024 * 1024;

    /// <summary>What the bench lets itself use of it (room for batch headers and transaction markers).</summary>
    public const long UsableBytes = PartitionBytes * 4 / 5;

    /// <summary>Bytes a stored record takes besides its key and value (record header and varints).</summary>
    public const int RecordOverhead = 24;

    private const double HashSkew = 1.25;

    /// <summary>The bytes the fullest partition will hold, and which topic that is.</summary>
    public static (long Bytes, string Where) Fullest(BenchInputs inputs, FanOut fanOut, int pacedEvents)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(fanOut);
        int partitions = inputs.Partitions;
        long[,] inputBytes = new long[2, partitions];
        long[] copyBytes = new long[fanOut.PlanCount + 1];
        var next = new int[2, partitions];
        foreach (BenchInput m in inputs.Messages)
        {
            long size = m.Key.Length + m.Value.Length + RecordOverhead;
            inputBytes[m.Input, m.Partition] += size;
            byte mask = fanOut.Mask(m.Input, m.Partition, next[m.Input, m.Partition]++);
            for (int copy = 0; copy <= fanOut.PlanCount; copy++)
            {
                byte bit = copy == fanOut.PlanCount ? FanOut.QuarantineBit : (byte)(1 << copy);
                if ((mask & bit) != 0)
                {
                    copyBytes[copy] += size;
                }
            }
        }

        long fullest = 0;
        string where = "";
        for (int input = 0; input < 2; input++)
        {
            for (int p = 0; p < partitions; p++)
            {
                Consider(inputBytes[input, p], input == 0 ? "telematics input" : "Wi-Fi input");
            }
        }

        for (int copy = 0; copy <= fanOut.PlanCount; copy++)
        {
            Consider((long)(copyBytes[copy] / (double)partitions * HashSkew), "pass-through copies");
        }

        // Purpose topics hold the throughput run's records and the paced run's, about as many again at most.
        double pacedShare = 1 + (pacedEvents / (double)Math.Max(1, inputs.Messages.Count));
        for (int plan = 0; plan < fanOut.PlanCount; plan++)
        {
            long records = fanOut.Copies[plan];
            double bytes = (fanOut.MinimizedBytes[plan] + (records * (double)RecordOverhead)) * pacedShare;
            Consider((long)(bytes / partitions * HashSkew), "minimized outputs");
        }

        return (fullest, where);

        void Consider(long bytes, string name)
        {
            if (bytes > fullest)
            {
                fullest = bytes;
                where = name;
            }
        }
    }

    /// <summary>
    /// Null when the run fits; else one line saying how much it needs and which <c>--partitions</c> or
    /// <c>--events</c> would fit.
    /// </summary>
    public static string? Check(BenchInputs inputs, FanOut fanOut, int pacedEvents)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        (long bytes, string where) = Fullest(inputs, fanOut, pacedEvents);
        if (bytes <= UsableBytes)
        {
            return null;
        }

        int partitions = (int)Math.Ceiling(inputs.Partitions * (double)bytes / UsableBytes);
        long events = (long)(inputs.Messages.Count * (double)UsableBytes / bytes) / 1000 * 1000;
        return string.Create(CultureInfo.InvariantCulture,
            $"--events {inputs.Messages.Count} needs about {bytes / 1048576.0:F1} MiB in the fullest partition ({where}), but the embedded Kafka keeps 5 MiB per partition and the bench uses at most {UsableBytes / 1048576.0:F0}: use --partitions {partitions} or --events {Math.Max(1000, events)}");
    }
}
