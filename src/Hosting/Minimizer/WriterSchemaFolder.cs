using Sieve.Contracts.Avro.Resolution;
using Sieve.Contracts.Schemas;
using Sieve.Hosting.Configuration;

namespace Sieve.Hosting.Minimizer;

/// <summary>
/// <c>Minimizer:WriterSchemasPath</c>: a folder of <c>.avsc</c> files, the raw-event schemas of producers newer than
/// this release (without a registry, a writer schema is known by its fingerprint only). Each must be a
/// <c>TelematicsEvent</c> or <c>WifiEvent</c> the current schema can read; anything else stops the start.
/// </summary>
internal static class WriterSchemaFolder
{
    /// <summary>The setting's key.</summary>
    public const string Key = "Minimizer:WriterSchemasPath";

    /// <summary>The schemas in <paramref name="path"/>, in file-name order; none when <paramref name="path"/> is not set.</summary>
    /// <exception cref="SettingsException">The folder is missing, or a file is not a readable raw-event writer schema.</exception>
    public static IReadOnlyList<SchemaInfo> Load(string? path)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            return [];
        }

        if (!Directory.Exists(path))
        {
            throw new SettingsException(Key, "the folder does not exist.");
        }

        var schemas = new List<SchemaInfo>();
        string[] files = Directory.GetFiles(path, "*.avsc");
        Array.Sort(files, StringComparer.Ordinal);
        foreach (string file in files)
        {
            string name = Path.GetFileName(file);
            SchemaInfo schema;
            try
            {
                schema = SchemaInfo.Parse(name, File.ReadAllText(file));
            }
            catch (Exception e) when (e is Avro.SchemaParseException or Newtonsoft.Json.JsonException)
            {
                throw new SettingsException(Key, name + " is not an Avro record schema (" + e.GetType().Name + ").");
            }

            SchemaInfo reader = schema.Schema.Name switch
            {
                "TelematicsEvent" => SchemaCatalog.Default.Get("TelematicsEvent"),
                "WifiEvent" => SchemaCatalog.Default.Get("WifiEvent"),
                _ => throw new SettingsException(Key, name + " is a " + schema.FullName + "; only TelematicsEvent and WifiEvent writers are read."),
            };
            if (new WriterSchemaSet(reader, []).Add(schema) is { IsCompatible: false } writer)
            {
                throw new SettingsException(Key, name + " cannot be read as " + reader.FullName + ": " + (writer.Incompatibility ?? writer.Partial));
            }

            schemas.Add(schema);
        }

        return schemas;
    }
}
