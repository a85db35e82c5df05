using BenchmarkDotNet.Attributes;
using Sieve.Contracts.Avro;
using Sieve.Core.Anonymization;
using Sieve.Core.Generalization;
using Sieve.Core.Policy;

namespace Sieve.Benchmarks.Core;

/// <summary>
/// The release stage's per-record work (<see cref="PartitionRelease"/>: trips, segments, zones, trimming, holding) and
/// the state it keeps, without Kafka. <see cref="Vehicles"/> vehicles each drive <see cref="RecordsPerVehicle"/>
/// records 100 m apart, interleaved as a partition would carry them; every invocation arrives all of them at a fresh
/// partition, so allocated bytes per operation are the state one record adds. "First records" arrives only each
/// vehicle's first record (trimmed at its trip's start, so nothing is held): its allocation per operation is the state
/// of one active vehicle.
/// </summary>
[Config(typeof(SieveBenchmarkConfig))]
public class ReleaseStageBenchmarks
{
    /// <summary>Active vehicles.</summary>
    public const int Vehicles = 100_000;

    /// <summary>Records per vehicle, 10 s and 100 m apart.</summary>
    public const int RecordsPerVehicle = 10;

    private const long T0 = 1_764_028_800_000;
    private byte[][] _records = [];
    private AnonymizationRules _rules = null!;
    private PartitionRelease _partition = null!;

    [GlobalSetup]
    public void Setup()
    {
        _rules = PolicyLoader.LoadDefault().FindPurpose("analytics")!.Anonymization!;
        _records = new byte[Vehicles * RecordsPerVehicle][];
        Span<byte> cell = stackalloc byte[5];
        byte[] record = new byte[80];
        record[10] = 64;
        byte[] buffer = new byte[512];
        for (int r = 0; r < RecordsPerVehicle; r++)
        {
            for (int v = 0; v < Vehicles; v++)
            {
                double lat = 31.0 + (v % 400 * 0.001) + (r * 0.0009);
                double lon = 121.2 + (v / 400 * 0.001);
                Geohash.Encode(lat, lon, 5, cell);
                long time = T0 + 60_000 + (r * 10_000);
                int n = ReleaseCandidateCodec.Write(buffer, System.Text.Encoding.ASCII.GetBytes("vehicle-" + v.ToString("D24", System.Globalization.CultureInfo.InvariantCulture)),
                    0, time, lat, lon, 40f, true, default, false, cell, TimeBuckets.Floor(time, 900_000), record);
                _records[(r * Vehicles) + v] = buffer.AsSpan(0, n).ToArray();
            }
        }
    }

    [IterationSetup]
    public void Fresh() => _partition = new PartitionRelease("analytics.pending.v1", 0, _rules);

    [Benchmark(OperationsPerInvoke = Vehicles * RecordsPerVehicle, Description = "Arrive: per record")]
    public int Arrive() => ArriveRange(_records.Length);

    [Benchmark(OperationsPerInvoke = Vehicles, Description = "First records: per active vehicle")]
    public int FirstRecords() => ArriveRange(Vehicles);

    private int ArriveRange(int count)
    {
        for (int i = 0; i < count; i++)
        {
            if (ReleaseCandidateCodec.TryRead(_records[i], out ReleaseCandidate c) != AvroStatus.Ok)
            {
                throw new InvalidOperationException("bad candidate");
            }

            _partition.Arrive(i, c);
        }

        return _partition.Pending;
    }
}
