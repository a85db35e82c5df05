using Sieve.Contracts.Schemas;
using Sieve.Testing;

namespace Sieve.Tests.Codec;

public sealed class SchemaContractTests
{
    private static readonly string[] Allowed = ["direct", "quasi", "none"];

    [Fact]
    public void Every_field_of_every_schema_carries_a_classification()
    {
        var missing = new List<string>();
        Assert.NotEmpty(SchemaCatalog.Default.All);
        foreach (SchemaInfo schema in SchemaCatalog.Default.All)
        {
            foreach (SchemaField field in SchemaCatalog.Flatten(schema.Schema))
            {
                if (field.Classification is null || Array.IndexOf(Allowed, field.Classification) < 0)
                {
                    missing.Add($"{schema.FileName}: {field.Path} = {field.Classification ?? "(none)"}");
                }
            }
        }

        Assert.True(missing.Count == 0, "Fields without a valid classification:\n" + string.Join("\n", missing));
    }

    [Fact]
    public void The_schema_folder_and_the_embedded_catalog_hold_the_same_files()
    {
        string dir = Path.Combine(RepoPaths.Root, "schemas");
        string[] onDisk = Directory.GetFiles(dir, "*.avsc").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;
        string[] embedded = SchemaCatalog.Default.All.Select(s => s.FileName).ToArray();
        Assert.Equal(onDisk, embedded);
        foreach (SchemaInfo info in SchemaCatalog.Default.All)
        {
            Assert.Equal(File.ReadAllText(Path.Combine(dir, info.FileName)), info.Json);
        }
    }

    [Theory]
    [InlineData("TelematicsEvent", "vin", "direct")]
    [InlineData("TelematicsEvent", "deviceId", "direct")]
    [InlineData("TelematicsEvent", "driver.name", "direct")]
    [InlineData("TelematicsEvent", "driver.phoneNumber", "direct")]
    [InlineData("TelematicsEvent", "driver.licenseNumber", "direct")]
    [InlineData("TelematicsEvent", "location.latitude", "quasi")]
    [InlineData("TelematicsEvent", "status.dtcCodes", "quasi")]
    [InlineData("WifiEvent", "clientMac", "direct")]
    [InlineData("WifiEvent", "phoneNumber", "direct")]
    [InlineData("WifiEvent", "deviceId", "direct")]
    [InlineData("WifiEvent", "visitedDomains", "quasi")]
    [InlineData("ConsentChange", "subjectId", "direct")]
    public void Identifying_fields_are_classified_as_the_policy_says(string schema, string path, string expected)
    {
        SchemaField field = SchemaCatalog.Flatten(SchemaCatalog.Default.Get(schema).Schema).Single(f => f.Path == path);
        Assert.Equal(expected, field.Classification);
    }

    [Fact]
    public void No_output_schema_has_a_direct_field()
    {
        foreach (string name in new[] { "PositioningRecord", "PersonalizationRecord", "AnalyticsRecord", "QuarantineRecord", "AuditRecord" })
        {
            Assert.DoesNotContain(SchemaCatalog.Flatten(SchemaCatalog.Default.Get(name).Schema), f => f.Classification == "direct");
        }
    }

    [Fact]
    public void Our_CRC64_fingerprint_matches_Apache_Avro_for_every_schema()
    {
        foreach (SchemaInfo info in SchemaCatalog.Default.All)
        {
            Assert.Equal((ulong)global::Avro.SchemaNormalization.ParsingFingerprint64(info.Schema), info.Fingerprint);
        }
    }
}
