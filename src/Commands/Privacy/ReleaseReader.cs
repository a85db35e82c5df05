using Avro.Generic;
using Avro.IO;
using Confluent.Kafka;
using DuckDB.NET.Data;
using Sieve.Contracts.Avro;
using Sieve.Contracts.Schemas;
using Sieve.Core.Lake;
using Sieve.Core.Privacy;

namespace Sieve.Commands.Privacy;

/// <summary>One record a purpose released, as the attack suite reads it.</summary>
/// <param name="Subject">The released pseudonym.</param>
/// <param name="Geohash">The released cell, or null when the record carries none.</param>
/// <param name="TimeMillis">The released time bucket's start (or the exact event time), Unix milliseconds.</param>
/// <param name="OdometerKm">The released (rounded) odometer, if any.</param>
/// <param name="FuelLevelPct">The released (rounded) fuel level, if any.</param>
/// <param name="EngineOn">The released ignition flag, if any.</param>
/// <param name="Telematics">True for a telematics record, false for a Wi-Fi one.</param>
/// <param name="CellVehicles">The vehicle count the release published with the record's (cell, bucket), if any.</param>
internal readonly record struct ReleasedRecord(string Subject, string? Geohash, long TimeMillis, double? OdometerKm, float? FuelLevelPct, bool? EngineOn, bool Telematics, long? CellVehicles = null);

/// <summary>
/// Turns what a purpose released into a <see cref="ReleasedDataset"/>: the one home of decoding released records for
/// <c>sieve privacy</c>, from a Kafka topic (Apache.Avro's generic reader against <see cref="SchemaCatalog"/>, by the
/// writer schema's fingerprint) or from the Sink's lake (DuckDB over the purpose's Parquet files). Telematics records
/// with a cell are measured; Wi-Fi records and records without a cell are counted as skipped.
/// </summary>
internal sealed class ReleaseReader
{
    private readonly Dictionary<ulong, GenericDatumReader<GenericRecord>> _readers = [];
    private readonly ReleasedDataset _data;
    private readonly SimulatedTruth? _truth;
    private readonly Dictionary<string, int> _pseudonymVehicles = new(StringComparer.Ordinal);

    /// <summary>Reads into <paramref name="data"/>; with <paramref name="truth"/> each record gets its vehicle and whether it moved.</summary>
    public ReleaseReader(ReleasedDataset data, SimulatedTruth? truth)
    {
        _data = data;
        _truth = truth;
    }

    /// <summary>Records added to the dataset.</summary>
    public long Measured { get; private set; }

    /// <summary>Records read but not measured (Wi-Fi, no cell, or not decodable).</summary>
    public long Skipped { get; private set; }

    /// <summary>Measured records whose pseudonym ground truth does not know (with ground truth only).</summary>
    public long Unattributed { get; private set; }

    /// <summary>Adds one released record.</summary>
    public void Add(in ReleasedRecord record)
    {
        if (!record.Telematics || string.IsNullOrEmpty(record.Geohash))
        {
            Skipped++;
            return;
        }

        long cell;
        try
        {
            cell = GeohashCells.Pack(record.Geohash);
        }
        catch (ArgumentException)
        {
            Skipped++;
            return;
        }

        long bucket = Sieve.Core.Generalization.TimeBuckets.Floor(record.TimeMillis, _data.BucketMillis);
        long attribute = ReleasedDataset.NoAttribute;
        if (record.OdometerKm is { } odometer)
        {
            // As the direct measurement does: the rounded odometer and fuel level together form the slowly changing attribute.
            attribute = ((long)Math.Round(odometer) * 16) + (record.FuelLevelPct is { } fuel ? (long)Math.Round(fuel / 10) : 15);
        }

        int vehicle;
        bool moving;
        if (_truth is not null)
        {
            vehicle = _truth.Vehicle(record.Subject);
            if (vehicle < 0)
            {
                Unattributed++;
                moving = record.EngineOn ?? true;
            }
            else
            {
                moving = _truth.TakeMoving(vehicle, cell, bucket, _data.BucketMillis);
            }
        }
        else
        {
            // Without ground truth every pseudonym counts as its own vehicle: k is then distinct pseudonyms per cell,
            // an upper bound on distinct vehicles; moving is what the release says of the ignition.
            if (!_pseudonymVehicles.TryGetValue(record.Subject, out vehicle))
            {
                vehicle = _pseudonymVehicles.Count;
                _pseudonymVehicles.Add(record.Subject, vehicle);
            }

            moving = record.EngineOn ?? true;
        }

        _data.AddReleased(record.Subject, cell, bucket, attribute, vehicle, moving);
        if (record.CellVehicles is { } vehicles)
        {
            _data.AddPublishedCount(cell, bucket, vehicles);
        }

        Measured++;
    }

    /// <summary>Decodes a single-object encoded purpose record and adds it.</summary>
    public void Add(byte[] message)
    {
        if (TryDecode(message, out ReleasedRecord record))
        {
            Add(record);
        }
        else
        {
            Skipped++;
        }
    }

    /// <summary>
    /// Reads every partition of <paramref name="topic"/> from the beginning (read_committed). Once
    /// <paramref name="producersDone"/> returns true, reads on to the high watermarks of that moment and returns.
    /// </summary>
    public void ReadTopic(string bootstrapServers, string topic, KafkaClientProperties? properties, Func<bool> producersDone, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = bootstrapServers,
            GroupId = "sieve-privacy-" + Guid.NewGuid().ToString("N"),
            EnableAutoCommit = false,
            IsolationLevel = IsolationLevel.ReadCommitted,
            EnablePartitionEof = true,
            FetchWaitMaxMs = 10,
            ConsumeResultFields = "none",
            // A record the cluster dropped before it was read must fail the measurement, never be skipped silently.
            AutoOffsetReset = AutoOffsetReset.Error,
        };
        properties?.ApplyTo(config);
        using IConsumer<byte[], byte[]> consumer = new ConsumerBuilder<byte[], byte[]>(config).Build();
        int partitions = Partitions(bootstrapServers, properties, topic);
        consumer.Assign(Enumerable.Range(0, partitions).Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
        long[] next = new long[partitions];
        long[]? ends = null;
        DateTime deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (ends is null && producersDone())
            {
                ends = new long[partitions];
                for (int p = 0; p < partitions; p++)
                {
                    ends[p] = consumer.QueryWatermarkOffsets(new TopicPartition(topic, p), TimeSpan.FromSeconds(10)).High.Value;
                }
            }

            if (ends is not null && Reached(next, ends))
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                ThrowHelper.Failure($"reading {topic} did not reach its end within {timeout.TotalSeconds:0} s");
            }

            ConsumeResult<byte[], byte[]>? result;
            try
            {
                result = consumer.Consume(TimeSpan.FromMilliseconds(100));
            }
            catch (ConsumeException e) when (e.Error.Code == ErrorCode.Local_AutoOffsetReset)
            {
                ThrowHelper.Failure($"records of {topic} were dropped before they were read ({e.Error.Reason}); a mock cluster keeps at most 5 MiB a partition");
                return;
            }

            if (result is null)
            {
                continue;
            }

            int partition = result.Partition.Value;
            next[partition] = Math.Max(next[partition], result.Offset.Value + (result.IsPartitionEOF ? 0 : 1));
            if (!result.IsPartitionEOF && result.Message?.Value is { } value)
            {
                Add(value);
            }
        }
    }

    /// <summary>Reads every Parquet file of <paramref name="purpose"/> under the lake <paramref name="root"/>.</summary>
    public void ReadLake(string root, string purpose)
    {
        var files = LakeLayout.DataFiles(root, purpose).ToList();
        if (files.Count == 0)
        {
            return;
        }

        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        using DuckDBCommand command = connection.CreateCommand();
        string list = string.Join(", ", files.Select(f => "'" + Path.GetFullPath(f).Replace("'", "''", StringComparison.Ordinal) + "'"));
        // Files written before cellVehicles existed lack the column; union_by_name fills it with null only when some file has it.
        command.CommandText = "SELECT * FROM read_parquet([" + list + "], union_by_name=true) LIMIT 0";
        bool hasCount;
        using (DuckDBDataReader columns = command.ExecuteReader())
        {
            hasCount = Enumerable.Range(0, columns.FieldCount).Any(i => columns.GetName(i) == "cellVehicles");
        }

        command.CommandText = "SELECT subject, geohash, epoch_ms(timeBucket), odometerKm, fuelLevelPct, engineOn, CAST(source AS VARCHAR), "
            + (hasCount ? "cellVehicles" : "NULL::BIGINT") + " FROM read_parquet([" + list + "], union_by_name=true)";
        using DuckDBDataReader reader = command.ExecuteReader();
        while (reader.Read())
        {
            Add(new ReleasedRecord(
                reader.GetString(0),
                reader.IsDBNull(1) ? null : reader.GetString(1),
                reader.GetInt64(2),
                reader.IsDBNull(3) ? null : reader.GetDouble(3),
                reader.IsDBNull(4) ? null : reader.GetFloat(4),
                reader.IsDBNull(5) ? null : reader.GetBoolean(5),
                !string.Equals(reader.GetString(6), "WIFI", StringComparison.Ordinal),
                reader.IsDBNull(7) ? null : reader.GetInt64(7)));
        }
    }

    private static bool Reached(long[] next, long[] ends)
    {
        for (int p = 0; p < next.Length; p++)
        {
            if (next[p] < ends[p])
            {
                return false;
            }
        }

        return true;
    }

    private static int Partitions(string bootstrapServers, KafkaClientProperties? properties, string topic)
    {
        var config = new AdminClientConfig { BootstrapServers = bootstrapServers };
        properties?.ApplyTo(config);
        using IAdminClient admin = new AdminClientBuilder(config).Build();
        Metadata metadata = admin.GetMetadata(topic, TimeSpan.FromSeconds(10));
        TopicMetadata? found = metadata.Topics.Find(t => t.Topic == topic);
        if (found is null || found.Error.IsError || found.Partitions.Count == 0)
        {
            return ThrowHelper.Failure<int>($"topic {topic} is not on the cluster at {bootstrapServers}");
        }

        return found.Partitions.Count;
    }

    private bool TryDecode(byte[] message, out ReleasedRecord record)
    {
        record = default;
        if (SingleObjectEncoding.TryReadHeader(message, out ulong fingerprint) != AvroStatus.Ok)
        {
            return false;
        }

        if (!_readers.TryGetValue(fingerprint, out GenericDatumReader<GenericRecord>? reader))
        {
            if (!SchemaCatalog.Default.TryGetByFingerprint(fingerprint, out SchemaInfo? info) || info is null)
            {
                return false;
            }

            reader = new GenericDatumReader<GenericRecord>(info.Schema, info.Schema);
            _readers[fingerprint] = reader;
        }

        GenericRecord g;
        try
        {
            using var stream = new MemoryStream(message, SingleObjectEncoding.HeaderLength, message.Length - SingleObjectEncoding.HeaderLength, writable: false);
            g = reader.Read(null!, new BinaryDecoder(stream));
        }
        catch (Avro.AvroException)
        {
            return false;
        }

        object? time = Field(g, "timeBucket") ?? Field(g, "eventTime");
        if (Field(g, "subject") is not string subject || time is null)
        {
            return false;
        }

        record = new ReleasedRecord(
            subject,
            Field(g, "geohash") as string,
            time is DateTime t ? (long)(t - DateTime.UnixEpoch).TotalMilliseconds : Convert.ToInt64(time, System.Globalization.CultureInfo.InvariantCulture),
            Field(g, "odometerKm") as double?,
            Field(g, "fuelLevelPct") as float?,
            Field(g, "engineOn") as bool?,
            Field(g, "source") is not GenericEnum source || source.Value != "WIFI",
            Field(g, "cellVehicles") as long?);
        return true;
    }

    private static object? Field(GenericRecord record, string name) => record.TryGetValue(name, out object? value) ? value : null;
}
