using Sieve.Contracts.Avro.Framing;
using Sieve.Contracts.Avro.Resolution;
using Sieve.Contracts.Schemas;

namespace Sieve.Core.Pipeline;

/// <summary>
/// The writer schemas the Minimizer reads raw events with, besides the current ones: by default the history in
/// <c>schemas/history/</c>.
/// </summary>
/// <param name="Telematics">Writers of <c>TelematicsEvent</c>.</param>
/// <param name="Wifi">Writers of <c>WifiEvent</c>.</param>
public sealed record RawWriterSchemas(WriterSchemaSet Telematics, WriterSchemaSet Wifi)
{
    /// <summary>The embedded schemas' history.</summary>
    public static RawWriterSchemas Default { get; } =
        new(SchemaCatalog.Default.WritersOf("TelematicsEvent"), SchemaCatalog.Default.WritersOf("WifiEvent"));

    /// <summary>
    /// The embedded schemas' history and <paramref name="writers"/>, also reading Confluent-framed messages by the
    /// registry ids in <paramref name="ids"/>; a writer fetched from the registry joins a set when the set first meets its id.
    /// </summary>
    /// <param name="ids">The registry ids to read Confluent framing by; null reads single-object only.</param>
    /// <param name="writers">More writer schemas to know by fingerprint, e.g. a newer producer's (each joins the set of its record's name).</param>
    public static RawWriterSchemas Create(SchemaIds? ids, params IEnumerable<SchemaInfo> writers)
    {
        ArgumentNullException.ThrowIfNull(writers);
        SchemaInfo telematics = SchemaCatalog.Default.Get("TelematicsEvent");
        SchemaInfo wifi = SchemaCatalog.Default.Get("WifiEvent");
        return new(new WriterSchemaSet(telematics, [.. SchemaCatalog.Default.History(telematics), .. Named(writers, telematics)], ids),
            new WriterSchemaSet(wifi, [.. SchemaCatalog.Default.History(wifi), .. Named(writers, wifi)], ids));
    }

    private static IEnumerable<SchemaInfo> Named(IEnumerable<SchemaInfo> writers, SchemaInfo reader)
    {
        foreach (SchemaInfo writer in writers)
        {
            if (writer.FullName == reader.FullName)
            {
                yield return writer;
            }
        }
    }
}
