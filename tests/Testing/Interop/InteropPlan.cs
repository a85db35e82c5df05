using System.Text.Json;
using System.Text.Json.Nodes;

namespace Sieve.Testing.Interop;

/// <summary>
/// The parts of an interop plan (written by <c>sieve-client.mjs make-plan</c>) and of its expectations (printed by
/// <c>sieve-client.mjs expect</c>) that the .NET side of the test needs.
/// </summary>
internal sealed class InteropPlan
{
    /// <summary>Plan properties that hold a raw identifier, or a list of spellings of one.</summary>
    private static readonly HashSet<string> IdentifierProperties = new(StringComparer.Ordinal)
    {
        "vin", "vinSpellings", "imei", "name", "phone", "phoneNational", "phoneSpellings", "licenseNumber",
        "subjectId", "mac", "macSpellings", "deviceId", "deviceIdSpellings",
    };

    private InteropPlan(IReadOnlyDictionary<string, string> topics, IReadOnlyList<string> rawIdentifiers, ConsentStoreCounts consent, int consentChanges, int inputs)
    {
        Topics = topics;
        RawIdentifiers = rawIdentifiers;
        Consent = consent;
        ConsentChanges = consentChanges;
        Inputs = inputs;
    }

    /// <summary>Topic of each role: telematics, wifi, consent, positioning, personalization, analytics, audit, quarantine.</summary>
    public IReadOnlyDictionary<string, string> Topics { get; }

    /// <summary>Every raw identifier of the plan in every spelling it lists (VINs, IMEIs, phones, MACs, device ids, names, licences).</summary>
    public IReadOnlyList<string> RawIdentifiers { get; }

    /// <summary>What the consent store holds once every consent change is applied.</summary>
    public ConsentStoreCounts Consent { get; }

    /// <summary>How many consent changes publish-consent writes.</summary>
    public int ConsentChanges { get; }

    /// <summary>How many raw inputs publish-events writes.</summary>
    public int Inputs { get; }

    /// <summary>Reads a plan file and the client's expectations for it.</summary>
    public static InteropPlan Load(string planFile, string expectJson)
    {
        JsonNode plan = JsonNode.Parse(File.ReadAllText(planFile)) ?? throw new InvalidDataException("empty plan");
        JsonNode expect = JsonNode.Parse(expectJson) ?? throw new InvalidDataException("empty expectations");

        var topics = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (KeyValuePair<string, JsonNode?> topic in expect["topics"]!.AsObject())
        {
            topics[topic.Key] = topic.Value!.GetValue<string>();
        }

        var identifiers = new List<string>();
        foreach (string list in (string[])["vehicles", "visitors", "bad"])
        {
            foreach (JsonNode? subject in plan[list]!.AsArray())
            {
                CollectIdentifiers(subject, identifiers);
            }
        }

        JsonNode state = expect["consentState"]!;
        var consent = new ConsentStoreCounts(
            state["subjects"]!.GetValue<int>(), state["granted"]!.GetValue<int>(), state["withdrawn"]!.GetValue<int>(), state["minors"]!.GetValue<int>());
        return new InteropPlan(topics, identifiers, consent, expect["consentChanges"]!.GetValue<int>(), expect["inputs"]!.GetValue<int>());
    }

    private static void CollectIdentifiers(JsonNode? node, List<string> into)
    {
        if (node is not JsonObject obj)
        {
            return;
        }

        foreach (KeyValuePair<string, JsonNode?> property in obj)
        {
            switch (property.Value)
            {
                case JsonObject nested:
                    CollectIdentifiers(nested, into);
                    break;
                case JsonArray array when IdentifierProperties.Contains(property.Key):
                    foreach (JsonNode? item in array)
                    {
                        if (item is JsonValue v && v.GetValueKind() == JsonValueKind.String)
                        {
                            into.Add(v.GetValue<string>());
                        }
                    }

                    break;
                case JsonValue value when IdentifierProperties.Contains(property.Key) && value.GetValueKind() == JsonValueKind.String:
                    into.Add(value.GetValue<string>());
                    break;
            }
        }
    }
}

/// <summary>Counts over a consent store's subject hashes.</summary>
/// <param name="Subjects">Subjects with any decision.</param>
/// <param name="Granted">Purpose decisions in the granted state.</param>
/// <param name="Withdrawn">Purpose decisions in the withdrawn state.</param>
/// <param name="Minors">Subjects flagged as minors.</param>
internal readonly record struct ConsentStoreCounts(int Subjects, int Granted, int Withdrawn, int Minors);
