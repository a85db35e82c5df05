using Avro;
using Parquet.Schema;
using Sieve.Contracts.Schemas;
using Sieve.Core.Policy;

namespace Sieve.Core.Lake;

/// <summary>
/// The lake table of one purpose: which topic feeds it, the output record schema its rows follow, the Parquet
/// schema of its files (the record's fields, then <c>_topic</c>, <c>_partition</c>, <c>_offset</c>), the column whose
/// time places a row in its <c>date=</c>/<c>hour=</c> folder, and how long rows are kept.
/// </summary>
public sealed class LakeTable
{
    /// <summary>Column holding the Kafka topic a row was read from.</summary>
    public const string TopicColumn = "_topic";

    /// <summary>Column holding the Kafka partition a row was read from.</summary>
    public const string PartitionColumn = "_partition";

    /// <summary>Column holding the Kafka offset a row was read from.</summary>
    public const string OffsetColumn = "_offset";

    /// <summary>Column holding the subject's pseudonym (every output schema has it).</summary>
    public const string SubjectColumn = "subject";

    /// <summary>Column holding the id of the key that made the pseudonym.</summary>
    public const string KeyIdColumn = "keyId";

    /// <summary>Creates the table of <paramref name="purpose"/>.</summary>
    /// <param name="purpose">Purpose name, e.g. <c>positioning</c>; the <c>purpose=</c> folder.</param>
    /// <param name="topic">The topic the sink reads for this purpose.</param>
    /// <param name="schema">The output record schema (e.g. <c>sieve.minimized.PositioningRecord</c>).</param>
    /// <param name="rotation">Whether the purpose's pseudonyms are stable or rotate daily.</param>
    /// <param name="retentionDays">Days a row is kept in the lake, counted from its event time.</param>
    /// <param name="policyRetentionDays">Days the policy declares for the purpose (at least <paramref name="retentionDays"/>); the same when null.</param>
    /// <exception cref="ArgumentException">The schema has a field type the lake cannot store, no <c>subject</c>, or no timestamp field.</exception>
    public LakeTable(string purpose, string topic, SchemaInfo schema, PseudonymRotation rotation, int retentionDays, int? policyRetentionDays = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(purpose);
        ArgumentException.ThrowIfNullOrEmpty(topic);
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentOutOfRangeException.ThrowIfLessThan(retentionDays, 1);
        Purpose = purpose;
        Topic = topic;
        Schema = schema;
        Rotation = rotation;
        RetentionDays = retentionDays;
        PolicyRetentionDays = policyRetentionDays ?? retentionDays;
        ArgumentOutOfRangeException.ThrowIfLessThan(PolicyRetentionDays, retentionDays, nameof(policyRetentionDays));

        var columns = new List<LakeColumn>();
        string? timeColumn = null;
        foreach (Avro.Field field in schema.Schema.Fields)
        {
            LakeColumn column = ToColumn(field);
            columns.Add(column);
            if (timeColumn is null && column.Kind == ColumnKind.TimestampMillis && !column.Nullable)
            {
                timeColumn = column.Name;
            }
        }

        if (!columns.Exists(c => c.Name == SubjectColumn && c.Kind == ColumnKind.String))
        {
            throw new ArgumentException("Schema " + schema.FullName + " has no string field 'subject'.", nameof(schema));
        }

        TimeColumn = timeColumn ?? throw new ArgumentException("Schema " + schema.FullName + " has no timestamp-millis field to partition by.", nameof(schema));
        columns.Add(new LakeColumn(TopicColumn, ColumnKind.String, false, new DataField<string>(TopicColumn, false)));
        columns.Add(new LakeColumn(PartitionColumn, ColumnKind.Int, false, new DataField<int>(PartitionColumn, false)));
        columns.Add(new LakeColumn(OffsetColumn, ColumnKind.Long, false, new DataField<long>(OffsetColumn, false)));
        Columns = columns;
        ParquetSchema = new ParquetSchema(columns.ConvertAll(c => c.Field));
    }

    /// <summary>The purpose, e.g. <c>analytics</c>.</summary>
    public string Purpose { get; }

    /// <summary>The topic this table is fed from.</summary>
    public string Topic { get; }

    /// <summary>The output record schema rows follow; messages with another fingerprint are quarantined.</summary>
    public SchemaInfo Schema { get; }

    /// <summary>Stable or daily pseudonyms.</summary>
    public PseudonymRotation Rotation { get; }

    /// <summary>Days a row is kept in the lake, counted from the start of its event date.</summary>
    public int RetentionDays { get; }

    /// <summary>
    /// Days the policy declares for the purpose: how long its topic and downstream consumers may hold its records, so
    /// the window of daily key epochs an erasure or an access report covers. At least <see cref="RetentionDays"/>.
    /// </summary>
    public int PolicyRetentionDays { get; }

    /// <summary>Record fields in schema order, then the Kafka coordinates.</summary>
    public IReadOnlyList<LakeColumn> Columns { get; }

    /// <summary>The Parquet schema of every file of this table.</summary>
    public ParquetSchema ParquetSchema { get; }

    /// <summary>The timestamp column that places a row in its date and hour folder (<c>eventTime</c> or <c>timeBucket</c>).</summary>
    public string TimeColumn { get; }

    /// <summary>The tables of every purpose of <paramref name="policy"/>, reading the policy's topics unless <paramref name="topicOverrides"/> names another.</summary>
    /// <param name="policy">The compiled policy.</param>
    /// <param name="retention">Retention days per purpose; the policy's own when null.</param>
    /// <param name="topicOverrides">Purpose name to topic, for purposes read from another topic; may be null.</param>
    public static IReadOnlyList<LakeTable> FromPolicy(CompiledPolicy policy, Retention.RetentionPolicy? retention = null, IReadOnlyDictionary<string, string>? topicOverrides = null)
    {
        ArgumentNullException.ThrowIfNull(policy);
        retention ??= new Retention.RetentionPolicy(policy);
        var tables = new List<LakeTable>(policy.Purposes.Count);
        foreach (PurposePlan plan in policy.Purposes)
        {
            string topic = topicOverrides is not null && topicOverrides.TryGetValue(plan.Name, out string? t) ? t : plan.Topic;
            tables.Add(new LakeTable(plan.Name, topic, plan.OutputSchema, plan.Rotation, retention.DaysFor(plan.Name), retention.PolicyDaysFor(plan.Name)));
        }

        return tables;
    }

    private static LakeColumn ToColumn(Avro.Field field)
    {
        Avro.Schema schema = field.Schema;
        bool nullable = false;
        if (schema is UnionSchema union)
        {
            if (union.Count != 2 || union[0].Tag != Avro.Schema.Type.Null)
            {
                throw Unsupported(field);
            }

            nullable = true;
            schema = union[1];
        }

        string name = field.Name;
        switch (schema)
        {
            case LogicalSchema { LogicalTypeName: "timestamp-millis" }:
                return new LakeColumn(name, ColumnKind.TimestampMillis, nullable,
                    new DateTimeDataField(name, DateTimeFormat.Timestamp, isAdjustedToUTC: true, unit: DateTimeTimeUnit.Millis, isNullable: nullable));
            case EnumSchema:
                return new LakeColumn(name, ColumnKind.Enum, nullable, new DataField<string>(name, nullable));
            case ArraySchema { ItemSchema.Tag: Avro.Schema.Type.String } when !nullable:
                return new LakeColumn(name, ColumnKind.StringList, false, new ListField(name, new DataField<string>("element", false)));
            case PrimitiveSchema primitive:
                return primitive.Tag switch
                {
                    Avro.Schema.Type.String => new LakeColumn(name, ColumnKind.String, nullable, new DataField<string>(name, nullable)),
                    Avro.Schema.Type.Int => new LakeColumn(name, ColumnKind.Int, nullable, nullable ? new DataField<int?>(name) : new DataField<int>(name, false)),
                    Avro.Schema.Type.Long => new LakeColumn(name, ColumnKind.Long, nullable, nullable ? new DataField<long?>(name) : new DataField<long>(name, false)),
                    Avro.Schema.Type.Float => new LakeColumn(name, ColumnKind.Float, nullable, nullable ? new DataField<float?>(name) : new DataField<float>(name, false)),
                    Avro.Schema.Type.Double => new LakeColumn(name, ColumnKind.Double, nullable, nullable ? new DataField<double?>(name) : new DataField<double>(name, false)),
                    Avro.Schema.Type.Boolean => new LakeColumn(name, ColumnKind.Boolean, nullable, nullable ? new DataField<bool?>(name) : new DataField<bool>(name, false)),
                    _ => throw Unsupported(field),
                };
            default:
                throw Unsupported(field);
        }
    }

    private static ArgumentException Unsupported(Avro.Field field) =>
        new("Field '" + field.Name + "' has a type the lake does not store (" + field.Schema.Tag + ").", nameof(field));
}
