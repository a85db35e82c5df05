using System.Text.Encodings.Web;
using System.Text.Json;
using Sieve.Core.Policy;

namespace Sieve.Commands.Policy;

/// <summary>Writes an <see cref="ExplainReport"/> as indented JSON (the <c>--json</c> form of <c>policy explain</c>).</summary>
internal static class ExplainJsonWriter
{
    public static string Write(ExplainReport report)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteStartObject("policy");
            w.WriteString("source", report.PolicySource);
            w.WriteString("version", report.PolicyVersion);
            w.WriteEndObject();
            w.WriteString("keys", report.MasterKeyRing);

            EventSummary e = report.Event;
            w.WriteStartObject("event");
            w.WriteString("type", e.Type);
            w.WriteString("eventId", e.EventId);
            w.WriteString("eventTime", ExplainValues.Time(e.EventTimeMillis));
            w.WriteString("subjectField", e.SubjectField);
            w.WriteString("subjectType", e.SubjectType);
            w.WriteEndObject();

            ConsentSummary c = report.Consent;
            w.WriteStartObject("consent");
            w.WriteStartArray("granted");
            foreach (string purpose in c.Granted)
            {
                w.WriteStringValue(purpose);
            }

            w.WriteEndArray();
            w.WriteString("effectiveTime", ExplainValues.Time(c.EffectiveTimeMillis));
            w.WriteBoolean("minor", c.Minor);
            w.WriteEndObject();

            if (report.Quarantine is { } q)
            {
                w.WriteStartObject("quarantine");
                w.WriteString("code", q.Code);
                w.WriteString("detail", q.Detail);
                w.WriteEndObject();
            }
            else
            {
                w.WriteNull("quarantine");
            }

            w.WriteStartArray("purposes");
            foreach (PurposeExplanation p in report.Purposes)
            {
                WritePurpose(w, p);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static void WritePurpose(Utf8JsonWriter w, PurposeExplanation p)
    {
        w.WriteStartObject();
        w.WriteString("purpose", p.Purpose);
        w.WriteString("topic", p.Topic);
        w.WriteBoolean("consentRequired", p.ConsentRequired);
        w.WriteString("legalBasis", Sieve.Core.Policy.LegalBasisNames.NameOf(p.Basis));
        if (p.LegalReference is not null)
        {
            w.WriteString("legalReference", p.LegalReference);
        }

        if (p.EscrowTopic is not null)
        {
            w.WriteString("recallEscrow", p.EscrowTopic);
        }

        if (p.ConsentRequired)
        {
            w.WriteString("consentMaxAge", p.ConsentMaxAge is { } maxAge ? PolicyRetention.Format((int)maxAge.TotalDays) : "none");
            if (p.ConsentMaxAgeReason is { } reason)
            {
                w.WriteString("consentMaxAgeReason", reason);
            }
        }

        w.WriteString("pseudonym", p.Rotation switch
        {
            Sieve.Core.Policy.PseudonymRotation.DailyUtc => "daily",
            Sieve.Core.Policy.PseudonymRotation.Segment => "segment",
            _ => "stable",
        });
        w.WriteString("outcome", p.Outcome switch
        {
            ExplainOutcome.Forwarded => "forwarded",
            ExplainOutcome.Held => "held",
            ExplainOutcome.Withheld => "withheld",
            _ => "not-applicable",
        });
        w.WriteString("code", p.Code);
        w.WriteString("reason", p.Reason);
        if (p.Release.Count > 0)
        {
            w.WriteStartArray("release");
            foreach (string rule in p.Release)
            {
                w.WriteStringValue(rule);
            }

            w.WriteEndArray();
        }

        if (p.Outcome is ExplainOutcome.Forwarded or ExplainOutcome.Held)
        {
            w.WriteStartArray("fields");
            foreach (FieldExplanation f in p.Fields)
            {
                w.WriteStartObject();
                w.WriteString("name", f.Name);
                w.WritePropertyName("value");
                WriteValue(w, f.Value);
                w.WriteString("from", f.From);
                w.WriteString("transform", f.Transform);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartArray("dropped");
            foreach (DroppedField d in p.Dropped)
            {
                w.WriteStartObject();
                w.WriteString("field", d.Path);
                w.WriteBoolean("direct", d.Direct);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        w.WriteEndObject();
    }

    private static void WriteValue(Utf8JsonWriter w, object? value)
    {
        switch (value)
        {
            case null:
                w.WriteNullValue();
                break;
            case string s:
                w.WriteStringValue(s);
                break;
            case bool b:
                w.WriteBooleanValue(b);
                break;
            case int i:
                w.WriteNumberValue(i);
                break;
            case long l:
                w.WriteNumberValue(l);
                break;
            case float f:
                w.WriteNumberValue(f);
                break;
            case double d:
                w.WriteNumberValue(d);
                break;
            case DateTimeOffset time:
                w.WriteStringValue(ExplainValues.Time(time));
                break;
            case IReadOnlyList<object?> list:
                w.WriteStartArray();
                foreach (object? item in list)
                {
                    WriteValue(w, item);
                }

                w.WriteEndArray();
                break;
            default:
                w.WriteStringValue(value.ToString());
                break;
        }
    }
}
