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
}
