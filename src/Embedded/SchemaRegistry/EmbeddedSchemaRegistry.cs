using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Avro;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Sieve.Embedded.SchemaRegistry;

/// <summary>
/// A stand-in for Confluent Schema Registry, for the demo and the tests: the REST subset Sieve and common clients
/// use, in memory, on a loopback port. Register, look up and get by id; subject versions; global and per-subject
/// compatibility levels; compatibility checks by the resolution rules Sieve's codec runs. Avro only: no schema
/// references, no JSON Schema or Protobuf, no deletes, no contexts, no modes, no authentication, nothing persisted.
/// </summary>
public sealed class EmbeddedSchemaRegistry : IAsyncDisposable
{
    /// <summary>The content type Confluent's registry answers with.</summary>
    public const string ContentType = "application/vnd.schemaregistry.v1+json";

    private readonly WebApplication _app;
    private readonly RegistryState _state = new();

    private EmbeddedSchemaRegistry(WebApplication app)
    {
        _app = app;
    }

    /// <summary>The registry's base URL, e.g. <c>http://127.0.0.1:40123</c>.</summary>
    public string Url { get; private set; } = "";

    /// <summary>Starts a registry on <paramref name="port"/> (0: a free loopback port).</summary>
    public static Task<EmbeddedSchemaRegistry> StartAsync(int port = 0, CancellationToken cancellationToken = default) =>
        StartAsync(port, [], cancellationToken);

    /// <summary>
    /// Starts a registry on <paramref name="port"/> that holds <paramref name="registered"/> (subject and schema text, in
    /// order; ids are given in that order from 1) before it answers anything: a restart of one that kept its state,
    /// since nothing is persisted.
    /// </summary>
    public static async Task<EmbeddedSchemaRegistry> StartAsync(int port, IEnumerable<(string Subject, string Schema)> registered, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registered);
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture));
        WebApplication app = builder.Build();
        var registry = new EmbeddedSchemaRegistry(app);
        foreach ((string subject, string text) in registered)
        {
            if (registry._state.Register(subject, text, Schema.Parse(text), out List<string> problems) is null)
            {
                throw new InvalidOperationException("The preloaded schema for " + subject + " is refused: " + string.Join("; ", problems));
            }
        }

        registry.Map(app);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        registry.Url = app.Urls.First();
        return registry;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private void Map(WebApplication app)
    {
        app.MapGet("/", () => Json(new JsonObject()));
        app.MapGet("/schemas/types", () => Json(new JsonArray("AVRO")));
        app.MapGet("/schemas/ids/{id:int}", (int id) => _state.ById(id) is { } s
            ? Json(new JsonObject { ["schema"] = s.Text })
            : Error(404, 40403, "Schema " + id + " not found"));
        app.MapGet("/schemas/ids/{id:int}/schema", (int id) => _state.ById(id) is { } s
            ? Results.Text(s.Text, ContentType)
            : Error(404, 40403, "Schema " + id + " not found"));
        app.MapGet("/subjects", () => Json(new JsonArray([.. _state.Subjects().Select(s => (JsonNode)s)])));
        app.MapGet("/subjects/{subject}/versions", (string subject) => _state.Versions(subject) is { } versions
            ? Json(new JsonArray([.. versions.Select(v => (JsonNode)v.Version)]))
            : SubjectNotFound(subject));
        app.MapGet("/subjects/{subject}/versions/{version}", (string subject, string version) =>
            FindVersion(subject, version, out SubjectVersion? found, out IResult? error) ? Json(Describe(found!)) : error!);
        app.MapGet("/subjects/{subject}/versions/{version}/schema", (string subject, string version) =>
            FindVersion(subject, version, out SubjectVersion? found, out IResult? error) ? Results.Text(found!.Schema.Text, ContentType) : error!);
        app.MapPost("/subjects/{subject}/versions", async (string subject, HttpRequest request) =>
        {
            (string? text, Schema? schema, IResult? error) = await ReadSchemaAsync(request).ConfigureAwait(false);
            if (error is not null)
            {
                return error;
            }

            SubjectVersion? version = _state.Register(subject, text!, schema!, out List<string> problems);
            return version is null
                ? Error(409, 409, "Schema being registered is incompatible with an earlier schema for subject \"" + subject + "\", details: [" + string.Join("; ", problems) + "]")
                : Json(new JsonObject { ["id"] = version.Schema.Id });
        });
        app.MapPost("/subjects/{subject}", async (string subject, HttpRequest request) =>
        {
            (_, Schema? schema, IResult? error) = await ReadSchemaAsync(request).ConfigureAwait(false);
            if (error is not null)
            {
                return error;
            }

            if (_state.Versions(subject) is null)
            {
                return SubjectNotFound(subject);
            }

            return _state.Lookup(subject, schema!) is { } found ? Json(Describe(found)) : Error(404, 40403, "Schema not found");
        });
        app.MapPost("/compatibility/subjects/{subject}/versions/{version}", async (string subject, string version, HttpRequest request) =>
        {
            (_, Schema? schema, IResult? error) = await ReadSchemaAsync(request).ConfigureAwait(false);
            if (error is not null)
            {
                return error;
            }

            List<SubjectVersion> versions = _state.Versions(subject) ?? [];
            if (version != "latest" && versions.Count > 0 && !FindVersion(subject, version, out _, out error))
            {
                return error!;
            }

            CompatibilityLevel level = _state.SubjectLevel(subject) ?? _state.GlobalLevel;
            List<SubjectVersion> against = version == "latest" || versions.Count == 0 ? versions : versions.FindAll(v => v.Version.ToString(CultureInfo.InvariantCulture) == version);
            List<string> problems = RegistryState.Check(schema!, against, level);
            return Json(new JsonObject { ["is_compatible"] = problems.Count == 0, ["messages"] = new JsonArray([.. problems.Select(p => (JsonNode)p)]) });
        });
        app.MapPost("/compatibility/subjects/{subject}/versions", async (string subject, HttpRequest request) =>
        {
            (_, Schema? schema, IResult? error) = await ReadSchemaAsync(request).ConfigureAwait(false);
            if (error is not null)
            {
                return error;
            }

            List<string> problems = RegistryState.Check(schema!, _state.Versions(subject) ?? [], _state.SubjectLevel(subject) ?? _state.GlobalLevel);
            return Json(new JsonObject { ["is_compatible"] = problems.Count == 0, ["messages"] = new JsonArray([.. problems.Select(p => (JsonNode)p)]) });
        });
        app.MapGet("/config", () => Json(new JsonObject { ["compatibilityLevel"] = Name(_state.GlobalLevel) }));
        app.MapPut("/config", async (HttpRequest request) =>
        {
            (CompatibilityLevel? level, IResult? error) = await ReadLevelAsync(request).ConfigureAwait(false);
            if (error is not null)
            {
                return error;
            }

            _state.GlobalLevel = level!.Value;
            return Json(new JsonObject { ["compatibility"] = Name(level.Value) });
        });
        app.MapGet("/config/{subject}", (string subject, bool? defaultToGlobal) =>
            _state.SubjectLevel(subject) is { } level ? Json(new JsonObject { ["compatibilityLevel"] = Name(level) })
            : defaultToGlobal == true ? Json(new JsonObject { ["compatibilityLevel"] = Name(_state.GlobalLevel) })
            : Error(404, 40408, "Subject '" + subject + "' does not have subject-level compatibility configured"));
        app.MapPut("/config/{subject}", async (string subject, HttpRequest request) =>
        {
            (CompatibilityLevel? level, IResult? error) = await ReadLevelAsync(request).ConfigureAwait(false);
            if (error is not null)
            {
                return error;
            }

            _state.SetSubjectLevel(subject, level!.Value);
            return Json(new JsonObject { ["compatibility"] = Name(level.Value) });
        });
    }

    private bool FindVersion(string subject, string version, out SubjectVersion? found, out IResult? error)
    {
        found = null;
        error = null;
        List<SubjectVersion>? versions = _state.Versions(subject);
        if (versions is null || versions.Count == 0)
        {
            error = SubjectNotFound(subject);
            return false;
        }

        if (version is "latest" or "-1")
        {
            found = versions[^1];
            return true;
        }

        if (!int.TryParse(version, NumberStyles.None, CultureInfo.InvariantCulture, out int number) || number < 1)
        {
            error = Error(422, 42202, "The specified version '" + version + "' is not a valid version id. Allowed values are between [1, 2^31-1] and the string \"latest\"");
            return false;
        }

        found = versions.Find(v => v.Version == number);
        error = found is null ? Error(404, 40402, "Version " + number + " not found.") : null;
        return found is not null;
    }

    private static async Task<(string? Text, Schema? Schema, IResult? Error)> ReadSchemaAsync(HttpRequest request)
    {
        JsonNode? body;
        try
        {
            body = await JsonNode.ParseAsync(request.Body).ConfigureAwait(false);
        }
        catch (JsonException)
        {
            return (null, null, Error(422, 42201, "Invalid schema: the request body is not JSON"));
        }

        if (body?["schemaType"] is JsonNode type && type.GetValueKind() == JsonValueKind.String && type.GetValue<string>() != "AVRO")
        {
            return (null, null, Error(422, 42201, "Invalid schema: only AVRO schemas are supported by this registry"));
        }

        if (body?["references"] is JsonArray { Count: > 0 })
        {
            return (null, null, Error(422, 42201, "Invalid schema: schema references are not supported by this registry"));
        }

        if (body?["schema"] is not JsonNode schemaNode || schemaNode.GetValueKind() != JsonValueKind.String)
        {
            return (null, null, Error(422, 42201, "Invalid schema: the request has no \"schema\" string"));
        }

        string text = schemaNode.GetValue<string>();
        try
        {
            return (text, Schema.Parse(text), null);
        }
        catch (AvroException e)
        {
            return (null, null, Error(422, 42201, "Invalid schema: " + e.Message));
        }
    }

    private static async Task<(CompatibilityLevel? Level, IResult? Error)> ReadLevelAsync(HttpRequest request)
    {
        JsonNode? body;
        try
        {
            body = await JsonNode.ParseAsync(request.Body).ConfigureAwait(false);
        }
        catch (JsonException)
        {
            return (null, Error(422, 42203, "Invalid compatibility level: the request body is not JSON"));
        }

        string? name = body?["compatibility"]?.GetValueKind() == JsonValueKind.String ? body["compatibility"]!.GetValue<string>() : null;
        return Parse(name) is { } level ? (level, null) : (null, Error(422, 42203, "Invalid compatibility level. Valid values are none, backward, forward, full, backward_transitive, forward_transitive, and full_transitive"));
    }

    private static JsonObject Describe(SubjectVersion version) => new()
    {
        ["subject"] = version.Subject,
        ["version"] = version.Version,
        ["id"] = version.Schema.Id,
        ["schemaType"] = "AVRO",
        ["schema"] = version.Schema.Text,
    };

    private static CompatibilityLevel? Parse(string? name) => name?.ToUpperInvariant() switch
    {
        "NONE" => CompatibilityLevel.None,
        "BACKWARD" => CompatibilityLevel.Backward,
        "BACKWARD_TRANSITIVE" => CompatibilityLevel.BackwardTransitive,
        "FORWARD" => CompatibilityLevel.Forward,
        "FORWARD_TRANSITIVE" => CompatibilityLevel.ForwardTransitive,
        "FULL" => CompatibilityLevel.Full,
        "FULL_TRANSITIVE" => CompatibilityLevel.FullTransitive,
        _ => null,
    };

    private static string Name(CompatibilityLevel level) => level switch
    {
        CompatibilityLevel.None => "NONE",
        CompatibilityLevel.Backward => "BACKWARD",
        CompatibilityLevel.BackwardTransitive => "BACKWARD_TRANSITIVE",
        CompatibilityLevel.Forward => "FORWARD",
        CompatibilityLevel.ForwardTransitive => "FORWARD_TRANSITIVE",
        CompatibilityLevel.Full => "FULL",
        _ => "FULL_TRANSITIVE",
    };

    private static IResult SubjectNotFound(string subject) => Error(404, 40401, "Subject '" + subject + "' not found.");

    private static IResult Json(JsonNode node) => Results.Text(node.ToJsonString(), ContentType);

    private static IResult Error(int status, int code, string message) =>
        Results.Text(new JsonObject { ["error_code"] = code, ["message"] = message }.ToJsonString(), ContentType, statusCode: status);
}
