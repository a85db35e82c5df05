using Avro;

namespace Sieve.Contracts.Avro.Resolution;

/// <summary>
/// Schema compatibility by the same resolution rules the span codec runs, for gates and registries: a reader can
/// read a writer when every record the writer can write resolves (no field without a default missing, no type that
/// does not promote, no union branch or enum symbol without a match).
/// </summary>
public static class AvroCompatibility
{
    /// <summary>
    /// True when <paramref name="reader"/> can read every record written with <paramref name="writer"/>; otherwise
    /// <paramref name="reason"/> names the first problem by schema path.
    /// </summary>
    public static bool CanRead(Schema reader, Schema writer, out string? reason)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(writer);
        ResolutionNode? plan = ResolutionCompiler.Compile(writer, reader, out string? incompatibility, out string? partial);
        reason = incompatibility ?? partial;
        return plan is not null && partial is null;
    }
}
