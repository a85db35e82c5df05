using Sieve.Core.Pipeline;
using Sieve.Core.Policy;
using Sieve.Core.Lake;
using Sieve.Core.Retention;

namespace Sieve.Testing.Sink;

/// <summary>Writes minimized records straight into a lake (one range per hour folder, as the engine would), for tests that need no Kafka.</summary>
internal sealed class LakeWriter : IDisposable
{
    public LakeWriter(RetentionPolicy? retention = null, CompiledPolicy? policy = null)
    {
        Root = Path.Combine(Path.GetTempPath(), "sieve-lake-direct-" + Guid.NewGuid().ToString("N"));
        Tables = LakeTable.FromPolicy(policy ?? PolicyLoader.LoadDefault(), retention);
    }

    private readonly Pipeline.StandInRelease _release = new();

    public string Root { get; }

    public IReadOnlyList<LakeTable> Tables { get; }

    public async Task WriteAsync(IEnumerable<(string Purpose, string Topic, byte[] Key, byte[] Value)> records)
    {
        long offset = 0;
        foreach (IGrouping<string, (string Purpose, string Topic, byte[] Key, byte[] Value)> purpose in _release.Apply(records).GroupBy(r => r.Purpose))
        {
            LakeTable table = Tables.Single(t => t.Purpose == purpose.Key);
            var decoder = new RowDecoder(table);
            var rows = new List<DecodedRow>();
            foreach ((_, _, _, byte[] value) in purpose)
            {
                Assert.True(decoder.TryDecode(value, 0, offset++, ids: null, out DecodedRow row, out QuarantineReason reason), reason.Code);
                rows.Add(row);
            }

            foreach (IGrouping<DateTime, DecodedRow> hour in rows.GroupBy(r => new DateTime(r.EventTimeUtc.Year, r.EventTimeUtc.Month, r.EventTimeUtc.Day, r.EventTimeUtc.Hour, 0, 0, DateTimeKind.Utc)))
            {
                long first = (long)hour.First().Values[LakeTable.OffsetColumn]!;
                long last = (long)hour.Last().Values[LakeTable.OffsetColumn]!;
                string path = Path.Combine(LakeLayout.HourDirectory(Root, table.Purpose, hour.Key), new LakeFileName(table.Topic, 0, first, last).ToString());
                await ParquetFiles.WriteAtomicallyAsync(path, table.ParquetSchema, hour.Select(r => (IDictionary<string, object?>)r.Values).ToList(),
                    new Dictionary<string, string> { [LakeMetadata.RangeFiles] = "1" }, CancellationToken.None);
            }
        }
    }

    public void Dispose()
    {
        if (Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }
    }
}
