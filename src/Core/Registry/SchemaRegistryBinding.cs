using System.Globalization;
using SchemaParseException = Avro.SchemaParseException;
using Confluent.SchemaRegistry;
using Sieve.Contracts.Avro.Framing;
using Sieve.Contracts.Schemas;

namespace Sieve.Core.Registry;

/// <summary>
/// A service's link to its Confluent Schema Registry: the schemas it writes, registered under each topic's
/// <c>&lt;topic&gt;-value</c> subject at start-up (after a compatibility check), and the ids it has read, fetched once
/// each. Every id ends up in <see cref="Ids"/>, which the hot path reads without calling the registry.
/// </summary>
public sealed class SchemaRegistryBinding : IDisposable
{
    // Confluent's error codes: subject not found, schema (id) not found, no subject-level compatibility level.
    private const int SubjectNotFound = 40401;
    private const int SchemaNotFound = 40403;
    private const int SubjectLevelNotFound = 40408;

    private readonly ISchemaRegistryClient _client;
    private readonly bool _ownsClient;
    private readonly Lock _write = new();
    private readonly TimeProvider _time;
    private readonly Dictionary<int, long> _firstNotFound = [];
    private volatile HashSet<string> _framedTopics = new(StringComparer.Ordinal);

    /// <summary>Binds to <paramref name="client"/>; <paramref name="ownsClient"/> disposes it with this binding.</summary>
    public SchemaRegistryBinding(ISchemaRegistryClient client, bool ownsClient = false, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
        _ownsClient = ownsClient;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>A binding with its own Confluent client for <paramref name="options"/>, or null when no registry is configured.</summary>
    public static SchemaRegistryBinding? Connect(SchemaRegistryOptions? options) =>
        options is { IsSet: true }
            ? new SchemaRegistryBinding(new CachedSchemaRegistryClient(options.ClientConfig()), ownsClient: true)
            {
                MissingGrace = TimeSpan.FromSeconds(options.MissingIdGraceSeconds),
            }
            : null;

    /// <summary>
    /// How long an id the registry answers "not found" for is still asked for again before records naming it are
    /// quarantined: a registry follower can lag behind the producer that just registered the schema, and a record
    /// is never quarantined for that. The batch is held meanwhile, so the grace is short: 5 s by default.
    /// </summary>
    public TimeSpan MissingGrace { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The ids this service knows, each with its schema.</summary>
    public SchemaIds Ids { get; } = new();

    /// <summary>The subject a topic's values are registered under (Confluent's TopicNameStrategy).</summary>
    public static string Subject(string topic) => topic + "-value";

    /// <summary>True when records this service writes to <paramref name="topic"/> are written in Confluent framing.</summary>
    public bool Frames(string topic) => _framedTopics.Contains(topic);

    /// <summary>
    /// Registers each topic's schema under its subject, after checking it is compatible with what the subject holds
    /// under the subject's compatibility level, and writes the topic in Confluent framing from then on.
    /// </summary>
    /// <exception cref="SchemaRegistryMismatchException">A schema is not compatible; the message is one line naming the subject, the schema and the level.</exception>
    /// <exception cref="SchemaRegistryUnavailableException">The registry could not be reached or refused the request.</exception>
    public async Task RegisterAsync(IEnumerable<(string Topic, SchemaInfo Schema)> outputs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        List<(string Topic, SchemaInfo Schema)> all = [.. outputs];

        // Every subject is checked before any is registered, so a refusal leaves the registry as it was.
        foreach ((string topic, SchemaInfo schema) in all)
        {
            cancellationToken.ThrowIfCancellationRequested();
            string subject = Subject(topic);
            var registered = new Schema(schema.Json, SchemaType.Avro);
            if (!await CallAsync(() => IsCompatibleAsync(subject, registered), "check " + subject).ConfigureAwait(false))
            {
                string level = await CallAsync(() => LevelAsync(subject), "read the level of " + subject).ConfigureAwait(false);
                throw new SchemaRegistryMismatchException("Schema registry subject '" + subject + "' (" + level + "): " + schema.FullName
                    + " from schemas/" + schema.FileName + " is not compatible with the versions registered there; Sieve does not write "
                    + topic + " until the subject's compatibility level or the schema is changed.");
            }
        }

        foreach ((string topic, SchemaInfo schema) in all)
        {
            cancellationToken.ThrowIfCancellationRequested();
            string subject = Subject(topic);
            int id = await CallAsync(() => _client.RegisterSchemaAsync(subject, new Schema(schema.Json, SchemaType.Avro)), "register " + subject).ConfigureAwait(false);
            Ids.Add(id, schema);
            lock (_write)
            {
                _framedTopics = new HashSet<string>(_framedTopics, StringComparer.Ordinal) { topic };
            }
        }
    }

    /// <summary>
    /// Fetches the schema registered as <paramref name="schemaId"/> and adds it to <see cref="Ids"/>. Returns null,
    /// and remembers the id as missing, when the schema is not an Avro record, or when the registry has said it has
    /// no such schema for longer than <see cref="MissingGrace"/>.
    /// </summary>
    /// <exception cref="SchemaRegistryUnavailableException">The registry could not answer, or has not known the id for long; try again later.</exception>
    public async Task<SchemaInfo?> FetchAsync(int schemaId)
    {
        if (Ids.TryGetSchema(schemaId, out SchemaInfo? known))
        {
            return known;
        }

        string name = "registry id " + schemaId.ToString(CultureInfo.InvariantCulture);
        Schema? schema;
        try
        {
            schema = await CallAsync(() => _client.GetSchemaAsync(schemaId), "get " + name).ConfigureAwait(false);
        }
        catch (SchemaRegistryUnavailableException e) when (e.InnerException is SchemaRegistryException { ErrorCode: SchemaNotFound })
        {
            if (!MissingForGrace(schemaId))
            {
                throw new SchemaRegistryUnavailableException("Schema registry: " + name + " is not (yet) known to it; asking again.", e.InnerException);
            }

            Ids.AddMissing(schemaId);
            return null;
        }

        SchemaInfo info;
        try
        {
            info = schema.SchemaType == SchemaType.Avro ? SchemaInfo.Parse(name, schema.SchemaString) : throw new SchemaParseException(name + ": not Avro");
        }
        catch (Exception e) when (e is SchemaParseException or Newtonsoft.Json.JsonException)
        {
            Ids.AddMissing(schemaId);
            return null;
        }

        Ids.Add(schemaId, info);
        return info;
    }

    // True once the registry has answered "not found" for the id for longer than the grace.
    private bool MissingForGrace(int schemaId)
    {
        long now = _time.GetTimestamp();
        lock (_write)
        {
            if (!_firstNotFound.TryGetValue(schemaId, out long first))
            {
                _firstNotFound[schemaId] = now;
                return MissingGrace <= TimeSpan.Zero;
            }

            return _time.GetElapsedTime(first, now) >= MissingGrace;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsClient)
        {
            _client.Dispose();
        }
    }

    private async Task<bool> IsCompatibleAsync(string subject, Schema schema)
    {
        try
        {
            return await _client.IsCompatibleAsync(subject, schema).ConfigureAwait(false);
        }
        catch (SchemaRegistryException e) when (e.ErrorCode == SubjectNotFound)
        {
            // Older registries answer a check against an empty subject with "not found": nothing to be compatible with.
            return true;
        }
    }

    private async Task<string> LevelAsync(string subject)
    {
        try
        {
            return (await _client.GetCompatibilityAsync(subject).ConfigureAwait(false)).ToString().ToUpperInvariant();
        }
        catch (SchemaRegistryException e) when (e.ErrorCode == SubjectLevelNotFound)
        {
            return (await _client.GetCompatibilityAsync().ConfigureAwait(false)).ToString().ToUpperInvariant();
        }
    }

    private static async Task<T> CallAsync<T>(Func<Task<T>> call, string what)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or SchemaRegistryException or TaskCanceledException or TimeoutException)
        {
            // The client's messages can quote the schema, never record data; the code is enough to say what failed.
            string code = e is SchemaRegistryException r ? r.ErrorCode.ToString(CultureInfo.InvariantCulture) : e.GetType().Name;
            throw new SchemaRegistryUnavailableException("Schema registry: " + what + " failed (" + code + ").", e);
        }
    }
}
