using Sieve.Contracts.Avro;
using Sieve.Contracts.Records;
using Sieve.Fuzz.Harnesses;
using Sieve.Testing;

namespace Sieve.Tests.Fuzzing;

/// <summary>
/// The schema-resolution harness's seeds reach the paths they are named for: each compatible writer's records decode
/// (so the harness's prefix, trailing-byte and Apache.Avro checks run on them), the incompatible writer's are refused
/// as such, and the truncated and unknown-id seeds are refused the way their names say.
/// </summary>
public sealed class SchemaResolutionHarnessTests
{
    public static TheoryData<string> SeedNames()
    {
        var data = new TheoryData<string>();
        foreach ((string file, _) in Seeds.For(SchemaResolutionHarness.Name, RepoPaths.Root))
        {
            data.Add(file);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(SeedNames))]
    public void Seed_decodes_as_its_name_says(string file)
    {
        byte[] message = Seeds.For(SchemaResolutionHarness.Name, RepoPaths.Root).Single(s => s.File == file).Bytes;
        AvroStatus expected = file switch
        {
            _ when file.EndsWith("truncated", StringComparison.Ordinal) => AvroStatus.Truncated,
            _ when file.StartsWith("incompatible", StringComparison.Ordinal) => AvroStatus.IncompatibleWriter,
            "confluent-unknown-id" => AvroStatus.UnknownSchemaId,
            "confluent-missing-id" => AvroStatus.UnregisteredSchemaId,
            _ => AvroStatus.Ok,
        };

        AvroStatus status = TelematicsEventCodec.TryReadMessage(message, SchemaResolutionHarness.Writers, new byte[RecordLimits.MaxMessageBytes * 2], out _, out _);

        Assert.Equal(expected, status);
    }

    [Fact]
    public void Every_writer_has_a_registry_id_and_all_but_the_current_one_are_in_the_set()
    {
        Assert.Equal(6, SchemaResolutionHarness.Ids.Count);
        Assert.Equal(5, SchemaResolutionHarness.Writers.Writers.Count());
        Assert.Single(SchemaResolutionHarness.Writers.Writers, w => w.Incompatibility is not null);
    }
}
