using Sieve.Contracts.Schemas;
using Sieve.Testing;
using Sieve.Testing.Codec;

namespace Sieve.Tests.Codec;

/// <summary>The compatibility gate: on the repository's own schemas, and on each way a change can break it.</summary>
public sealed class SchemaHistoryGateTests
{
    private static readonly SchemaInfo Released = SchemaCatalog.Default.Get("TelematicsEvent");
    private static readonly SchemaInfo ReleasedAsV1 = SchemaInfo.Parse("history/telematics-event/v1.avsc", Released.Json);

    [Fact]
    public void The_repositorys_schemas_pass_the_gate()
    {
        string lockText = File.ReadAllText(Path.Combine(RepoPaths.Root, "schemas", SchemaHistoryGate.LockFile));
        IReadOnlyList<string> problems = SchemaHistoryGate.Check(SchemaCatalog.Default.All, SchemaCatalog.Default.AllHistory, lockText);
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
        Assert.Equal(SchemaCatalog.Default.All.Count + SchemaCatalog.Default.AllHistory.Count,
            lockText.Split('\n').Count(l => l.Length > 0 && l[0] != '#'));
    }

    [Fact]
    public void A_compatible_new_version_with_its_previous_one_kept_passes()
    {
        SchemaInfo next = Named(EvolvedSchemas.TelematicsWithTripId());
        Assert.Empty(SchemaHistoryGate.Check([next], [ReleasedAsV1], Lock(next, ReleasedAsV1)));
    }

    [Fact]
    public void A_version_that_cannot_read_an_earlier_one_fails_with_the_first_incompatibility()
    {
        SchemaInfo next = Named(EvolvedSchemas.TelematicsWithTextTime());
        Assert.Equal(
            ["schemas/telematics-event.avsc cannot read schemas/history/telematics-event/v1.avsc (BACKWARD_TRANSITIVE): TelematicsEvent.eventTime: the writer's long cannot be read as string."],
            SchemaHistoryGate.Check([next], [ReleasedAsV1], Lock(next, ReleasedAsV1)));
    }

    [Fact]
    public void A_released_version_edited_in_place_or_deleted_fails()
    {
        SchemaInfo edited = SchemaInfo.Parse(ReleasedAsV1.FileName, EvolvedSchemas.TelematicsWithTripId().Json);
        string lockText = Lock(Released, ReleasedAsV1);
        Assert.Contains(SchemaHistoryGate.Check([Released], [edited], lockText), p => p.StartsWith("schemas/history/telematics-event/v1.avsc was edited in place", StringComparison.Ordinal));
        Assert.Equal(["schemas/history/telematics-event/v1.avsc is locked but missing: a released version is never deleted; restore it."],
            SchemaHistoryGate.Check([Released], [], lockText));
    }

    [Fact]
    public void A_current_schema_changed_without_keeping_its_released_version_fails_and_says_what_to_do()
    {
        SchemaInfo next = Named(EvolvedSchemas.TelematicsWithTripId());
        IReadOnlyList<string> problems = SchemaHistoryGate.Check([next], [], Lock(Released));
        Assert.Single(problems);
        Assert.StartsWith("schemas/telematics-event.avsc was changed in place", problems[0], StringComparison.Ordinal);
        Assert.Contains("keep the released version as schemas/history/telematics-event/v1.avsc", problems[0], StringComparison.Ordinal);

        // Kept, and the current line not yet updated: the gate says which line to write.
        Assert.Equal(["schemas/telematics-event.avsc has a new version and its previous one is kept in history: update its lock line to \"" + SchemaHistoryGate.LockLine(next) + "\"."],
            SchemaHistoryGate.Check([next], [ReleasedAsV1], Lock(Released, ReleasedAsV1)));
    }

    [Fact]
    public void Unlocked_files_and_gaps_in_version_numbers_fail()
    {
        SchemaInfo v2 = SchemaInfo.Parse("history/telematics-event/v3.avsc", Released.Json);
        IReadOnlyList<string> problems = SchemaHistoryGate.Check([Released], [ReleasedAsV1, v2], Lock(Released, ReleasedAsV1));
        Assert.Contains("schemas/history/telematics-event/v3.avsc is not in schemas/history/versions.lock: add the line \"" + SchemaHistoryGate.LockLine(v2) + "\".", problems);
        Assert.Contains("schemas/history/telematics-event/v3.avsc: history versions are numbered v1, v2, … without gaps; expected v2.", problems);
    }

    private static SchemaInfo Named(SchemaInfo schema) => SchemaInfo.Parse(Released.FileName, schema.Json);

    private static string Lock(params SchemaInfo[] schemas) => string.Join('\n', schemas.Select(SchemaHistoryGate.LockLine));
}
