using System.Text.Json.Nodes;
using Avro.Generic;
using Confluent.Kafka;
using Confluent.SchemaRegistry;
using Confluent.SchemaRegistry.Serdes;
using Sieve.Contracts.Records;
using Sieve.Embedded.SchemaRegistry;
using Sieve.Testing;
using Sieve.Testing.Codec;
using Sieve.Testing.Interop;

namespace Sieve.IntegrationTests.Interop;

/// <summary>
/// The embedded registry serves a client that shares no code with Sieve or Confluent's .NET library
/// (@kafkajs/confluent-schema-registry, on avsc): it decodes records Confluent's .NET serializer framed, and frames
/// records Confluent's .NET deserializer reads.
/// </summary>
public sealed class RegistryNodeInteropTests
{
    private static readonly TimeSpan NodeTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task The_Node_registry_client_and_Confluents_dotnet_serdes_read_each_others_records_through_the_embedded_registry()
    {
        await NodeClient.EnsureReadyAsync();
        await using EmbeddedSchemaRegistry registry = await EmbeddedSchemaRegistry.StartAsync();
        using var client = new CachedSchemaRegistryClient(new SchemaRegistryConfig { Url = registry.Url });
        var context = new SerializationContext(MessageComponentType.Value, "telematics.raw.v1");
        var serializer = new AvroSerializer<GenericRecord>(client, new AvroSerializerConfig { AutoRegisterSchemas = true });
        var random = new RandomRecords(seed: 12);
        List<TelematicsEventData> sent = [.. Enumerable.Range(0, 5).Select(_ => random.Telematics())];
        string file = Path.GetTempFileName();
        try
        {
            var lines = new List<string>();
            foreach (TelematicsEventData data in sent)
            {
                lines.Add(Convert.ToHexString(await serializer.SerializeAsync(ApacheAvroBridge.ToGeneric(data), context)));
            }

            await File.WriteAllLinesAsync(file, lines);
            ChildProcessResult decoded = await NodeClient.RunRegistryClientAsync(NodeTimeout, "decode", registry.Url, file);
            Assert.True(decoded.ExitCode == 0, decoded.Describe());
            string[] values = decoded.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(sent.Count, values.Length);
            for (int i = 0; i < sent.Count; i++)
            {
                JsonNode value = JsonNode.Parse(values[i])!;
                Assert.Equal(sent[i].EventId, value["eventId"]!.GetValue<string>());
                Assert.Equal(sent[i].Vin, value["vin"]!.GetValue<string>());
                Assert.Equal(sent[i].EventTime.ToString(System.Globalization.CultureInfo.InvariantCulture), value["eventTime"]!.ToJsonString().Trim('"'));
            }
        }
        finally
        {
            File.Delete(file);
        }

        string schemaFile = Path.Combine(RepoPaths.Root, "schemas", "telematics-event.avsc");
        const string Value = """{"eventId":"node-1","vin":"LSVAU2180N2183294","deviceId":"356307042441013","eventTime":1764050400123,"location":null,"status":null,"driver":null}""";
        ChildProcessResult encoded = await NodeClient.RunRegistryClientAsync(NodeTimeout, "encode", registry.Url, "telematics.raw.v1-value", schemaFile, Value);
        Assert.True(encoded.ExitCode == 0, encoded.Describe());
        byte[] framed = Convert.FromHexString(encoded.StandardOutput.Trim());
        GenericRecord back = await new AvroDeserializer<GenericRecord>(client).DeserializeAsync(framed, isNull: false, context);
        Assert.Equal("node-1", back["eventId"]);
        Assert.Equal("LSVAU2180N2183294", back["vin"]);
        Assert.Null(back["location"]);
        Assert.Single(await client.GetSubjectVersionsAsync("telematics.raw.v1-value"));
    }
}
