using Avro;
using Sieve.Contracts.Purposes;
using Sieve.Contracts.Schemas;

namespace Sieve.Core.Policy;

/// <summary>
/// The privacy rules of a policy: purposes must be declared in the privacy policy, every purpose says how long its
/// data is kept, direct fields never leave un-pseudonymized, only the subject identifier is pseudonymized, and a
/// purpose may skip consent only when it forwards nothing precise.
/// </summary>
internal sealed class PrivacyRules
{
    /// <summary>The <c>consentMaxAge</c> value for a consent with no maximum age.</summary>
    public const string NoMaxAge = "none";

    private readonly PolicyDiagnostics _diagnostics;

    public PrivacyRules(PolicyDiagnostics diagnostics) => _diagnostics = diagnostics;

    /// <summary>The purpose's index in <see cref="KnownPurposes.All"/>; -1 (reported) when the privacy policy does not declare it.</summary>
    public int DeclaredPurposeId(PolicyJsonProperty purposeProperty)
    {
        string name = purposeProperty.Name;
        int purposeId = KnownPurposes.IndexOf(name);
        if (purposeId < 0)
        {
            Error(purposeProperty.NameOffset, $"purpose '{name}' is not declared in the privacy policy; declared: {string.Join(", ", KnownPurposes.All)}");
        }

        return purposeId;
    }

    /// <summary>The purpose's <c>retention</c> in days; null (reported) when missing or malformed.</summary>
    public int? ReadRetention(PolicyShapeReader.Purpose purpose)
    {
        const string Key = PolicyShapeReader.RetentionKey;
        if (purpose.Retention is not { } retention)
        {
            Error(purpose.Node.Offset, $"purpose '{purpose.Name}' is missing '{Key}' (how long its data is kept, e.g. \"7d\")");
            return null;
        }

        if (retention.Value.Kind != PolicyJsonKind.String || !PolicyRetention.TryParseDays(retention.Value.String, out int days))
        {
            Error(retention.Value.Offset, $"'{Key}' of purpose '{purpose.Name}' must be whole days from {PolicyRetention.MinDays} to {PolicyRetention.MaxDays} written like \"7d\", not {retention.Value.DescribeValue()}");
            return null;
        }

        return days;
    }

    /// <summary>
    /// Reads the purpose's <c>consentMaxAge</c> (GB/T 41871-2022: a consent period may not be "permanent"). A purpose
    /// that needs consent declares whole days, or <c>"none"</c> together with a non-empty <c>consentMaxAgeReason</c>;
    /// a purpose that needs none declares neither. Nothing is checked while <paramref name="consentRequired"/> is
    /// unknown (its own error is reported). False (reported) when the keys break these rules.
    /// </summary>
    /// <param name="purpose">The purpose's keys.</param>
    /// <param name="consentRequired">The purpose's <c>consentRequired</c>; null when missing or invalid.</param>
    /// <param name="maxAge">The maximum age of a grant; null for none.</param>
    /// <param name="reason">Why there is none, when <c>"none"</c>.</param>
    public bool ReadConsentMaxAge(PolicyShapeReader.Purpose purpose, bool? consentRequired, out TimeSpan? maxAge, out string? reason)
    {
        const string Key = PolicyShapeReader.ConsentMaxAgeKey;
        const string ReasonKey = PolicyShapeReader.ConsentMaxAgeReasonKey;
        maxAge = null;
        reason = null;
        if (consentRequired is not { } required)
        {
            return true;
        }

        if (!required)
        {
            bool ok = true;
            foreach (PolicyJsonProperty? stray in (ReadOnlySpan<PolicyJsonProperty?>)[purpose.ConsentMaxAge, purpose.ConsentMaxAgeReason])
            {
                if (stray is { } key)
                {
                    Error(key.NameOffset, $"'{key.Name}' of purpose '{purpose.Name}' applies only to a purpose with \"{PolicyShapeReader.ConsentRequiredKey}\": true; remove it");
                    ok = false;
                }
            }

            return ok;
        }

        if (purpose.ConsentMaxAge is not { } age)
        {
            Error(purpose.Node.Offset, $"purpose '{purpose.Name}' needs consent but declares no '{Key}': a grant may not last forever (GB/T 41871-2022); " +
                $"add \"{Key}\": \"365d\" (whole days), or \"{Key}\": \"none\" with a \"{ReasonKey}\" that says why its consent has no end");
            return false;
        }

        if (age.Value.Kind == PolicyJsonKind.String && age.Value.String == NoMaxAge)
        {
            if (purpose.ConsentMaxAgeReason is not { } because)
            {
                Error(age.Value.Offset, $"'{Key}' of purpose '{purpose.Name}' is \"{NoMaxAge}\" but no '{ReasonKey}' says why; " +
                    $"add \"{ReasonKey}\": \"<why this consent has no end>\", or give whole days like \"365d\"");
                return false;
            }

            if (because.Value.Kind != PolicyJsonKind.String || string.IsNullOrWhiteSpace(because.Value.String))
            {
                Error(because.Value.Offset, $"'{ReasonKey}' of purpose '{purpose.Name}' must be a non-empty string that says why its consent has no end, not {because.Value.DescribeValue()}");
                return false;
            }

            reason = because.Value.String;
            return true;
        }

        if (age.Value.Kind != PolicyJsonKind.String || !PolicyRetention.TryParseDays(age.Value.String, out int days))
        {
            Error(age.Value.Offset, $"'{Key}' of purpose '{purpose.Name}' must be whole days from {PolicyRetention.MinDays} to {PolicyRetention.MaxDays} written like \"365d\", " +
                $"or \"{NoMaxAge}\" with a '{ReasonKey}', not {age.Value.DescribeValue()}");
            return false;
        }

        if (purpose.ConsentMaxAgeReason is { } unused)
        {
            Error(unused.NameOffset, $"'{ReasonKey}' of purpose '{purpose.Name}' explains only \"{Key}\": \"{NoMaxAge}\"; remove it, or make the max age \"{NoMaxAge}\"");
            return false;
        }

        maxAge = TimeSpan.FromDays(days);
        return true;
    }

    /// <summary>
    /// Applies the identifier rules to a section member's transform: a direct field (or a field inside a direct
    /// record) may only be dropped, or pseudonymized when it identifies the subject, which may not be dropped; only
    /// a subject identifier is pseudonymized. Whether the transform is allowed, or null when these rules do not
    /// apply (a field that is not direct and not pseudonymized).
    /// </summary>
    public bool? CheckIdentifiers(InputKind input, PolicyJsonProperty member, Dictionary<string, SchemaField> fields, TransformKind kind)
    {
        string path = member.Name;
        long at = member.NameOffset;
        IReadOnlyList<string> subjects = PolicyInputs.SubjectFields(input);
        bool isSubject = Contains(subjects, path);
        string subjectList = PolicyDiagnostics.Quoted(subjects);
        string section = PolicyInputs.SectionName(input);

        if (IsDirect(path, fields))
        {
            if (kind == TransformKind.None)
            {
                if (isSubject)
                {
                    // The subject identifier always becomes the record's pseudonym; "drop" would misstate what leaves.
                    Error(at, $"'{path}' identifies the {section} subject, so its keyed pseudonym is every record's subject; write '{TransformNames.Pseudonymize}' or leave it out");
                    return false;
                }

                return true;
            }

            if (kind == TransformKind.Pseudonymize && isSubject)
            {
                return true;
            }

            Error(at, kind == TransformKind.Pseudonymize
                ? $"direct field '{path}' can never leave un-pseudonymized; in '{section}' only the subject identifier ({subjectList}) is pseudonymized, everything else direct must be '{TransformNames.Drop}'"
                : $"direct field '{path}' can never leave un-pseudonymized; it may only be '{TransformNames.Drop}'{(isSubject ? $" or '{TransformNames.Pseudonymize}'" : "")}");
            return false;
        }

        if (kind == TransformKind.Pseudonymize)
        {
            Error(at, $"'{path}' is not a subject identifier; in '{section}' only {subjectList} can be pseudonymized");
            return false;
        }

        return null;
    }

    /// <summary>
    /// Reports a purpose that skips consent although it is not anonymized (an <c>anonymize</c> block with segment
    /// pseudonyms) or its output has a precise field
    /// (<c>latitude</c>, <c>longitude</c>, <c>eventTime</c>).
    /// </summary>
    public void CheckConsentExemption(string purpose, SchemaInfo output, PseudonymRotation rotation, bool anonymized, long at)
    {
        var reasons = new List<string>();
        if (rotation != PseudonymRotation.Segment || !anonymized)
        {
            reasons.Add("it declares no 'anonymize' block with 'segment' pseudonyms, and a pseudonym alone does not make data anonymous");
        }

        foreach (Field field in output.Schema.Fields)
        {
            if (SlotKindNames.TryParse(field.Name, out SlotKind kind) && kind is SlotKind.Latitude or SlotKind.Longitude or SlotKind.EventTime)
            {
                reasons.Add($"output field '{field.Name}' is precise");
            }
        }

        if (reasons.Count > 0)
        {
            Error(at, $"purpose '{purpose}' forwards precise data without consent ({string.Join("; ", reasons)}); " +
                $"set {PolicyShapeReader.ConsentRequiredKey} to true, or declare '{AnonymizationReader.AnonymizeKey}' with 'segment' pseudonyms and release only generalized time and place");
        }
    }

    /// <summary>True when the field, or a record it sits in, is classified <c>direct</c>.</summary>
    private static bool IsDirect(string path, Dictionary<string, SchemaField> fields)
    {
        string current = path;
        while (true)
        {
            if (fields.TryGetValue(current, out SchemaField? field) && field.Classification == SchemaField.DirectClassification)
            {
                return true;
            }

            int dot = current.LastIndexOf('.');
            if (dot < 0)
            {
                return false;
            }

            current = current[..dot];
        }
    }

    private static bool Contains(IReadOnlyList<string> values, string value)
    {
        for (int i = 0; i < values.Count; i++)
        {
            if (string.Equals(values[i], value, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private void Error(long offset, string problem) => _diagnostics.Add(offset, problem);
}
