using Sieve.Contracts.Schemas;

namespace Sieve.Core.Policy;

/// <summary>
/// Reads a section member's transform — a name, or an object with <c>transform</c> and its parameter — and checks
/// the transform applies to the field's type.
/// </summary>
internal sealed class TransformReader
{
    /// <summary>Widest time bucket (a leap year).</summary>
    public const int MaxBucketMinutes = 366 * 24 * 60;

    /// <summary>Largest rounding step.</summary>
    public const double MaxStep = 1e12;

    /// <summary>The key naming the transform in the object form.</summary>
    public const string TransformKey = "transform";

    /// <summary>Parameter of <c>round</c>.</summary>
    public const string StepParameter = "step";

    /// <summary>Parameter of <c>bucketTime</c>.</summary>
    public const string MinutesParameter = "minutes";

    /// <summary>Parameter of <c>geohash</c>.</summary>
    public const string PrecisionParameter = "precision";

    private readonly PolicyDiagnostics _diagnostics;

    public TransformReader(PolicyDiagnostics diagnostics) => _diagnostics = diagnostics;

    /// <summary>The parameter <paramref name="kind"/> takes, or null.</summary>
    public static string? ParameterOf(TransformKind kind) => kind switch
    {
        TransformKind.Round => StepParameter,
        TransformKind.BucketTime => MinutesParameter,
        TransformKind.Geohash => PrecisionParameter,
        _ => null,
    };

    /// <summary>Reads the transform of <paramref name="member"/>, whose field is <paramref name="field"/>; false (reported) when it is malformed.</summary>
    public bool TryRead(string purpose, PolicyJsonProperty member, SchemaField field, out FieldTransform transform)
    {
        transform = default;
        string path = member.Name;
        PolicyJsonNode value = member.Value;
        PolicyJsonNode nameNode;
        if (value.Kind == PolicyJsonKind.String)
        {
            nameNode = value;
        }
        else if (value.Kind == PolicyJsonKind.Object)
        {
            PolicyJsonProperty? transformKey = value.Find(TransformKey);
            if (transformKey is null)
            {
                Error(value.Offset, $"'{path}' (purpose '{purpose}') is missing '{TransformKey}'");
                return false;
            }

            nameNode = transformKey.Value;
            if (nameNode.Kind != PolicyJsonKind.String)
            {
                Error(nameNode.Offset, $"'{TransformKey}' of '{path}' (purpose '{purpose}') must be a string, not {nameNode.Describe()}");
                return false;
            }
        }
        else
        {
            Error(value.Offset, $"'{path}' (purpose '{purpose}') must be a transform name or an object with a '{TransformKey}', not {value.Describe()}");
            return false;
        }

        string name = nameNode.String!;
        if (!TransformNames.TryParse(name, out TransformKind kind))
        {
            Error(nameNode.Offset, $"unknown transform '{name}' for '{path}' (purpose '{purpose}'); expected {PolicyDiagnostics.Quoted(TransformNames.All)}");
            return false;
        }

        string? parameter = ParameterOf(kind);
        bool ok = true;
        if (value.Kind == PolicyJsonKind.Object)
        {
            foreach (PolicyJsonProperty property in value.Properties)
            {
                if (property.Name == TransformKey || property.Name == parameter)
                {
                    continue;
                }

                Error(property.NameOffset, parameter is null
                    ? $"transform '{name}' takes no parameters; remove '{property.Name}' from '{path}'"
                    : $"unknown parameter '{property.Name}' for transform '{name}' on '{path}'; expected '{parameter}'");
                ok = false;
            }
        }

        if (parameter is null)
        {
            transform = new FieldTransform(kind);
            return ok;
        }

        PolicyJsonProperty? parameterKey = value.Kind == PolicyJsonKind.Object ? value.Find(parameter) : null;
        if (parameterKey is null)
        {
            Error(value.Offset, $"transform '{name}' on '{path}' (purpose '{purpose}') needs parameter '{parameter}'; write {{ \"{TransformKey}\": \"{name}\", \"{parameter}\": ... }}");
            return false;
        }

        PolicyJsonNode argument = parameterKey.Value;
        switch (kind)
        {
            case TransformKind.Round:
                if (argument.Kind != PolicyJsonKind.Number || !(argument.Number > 0) || argument.Number > MaxStep)
                {
                    Error(argument.Offset, $"'{StepParameter}' of '{path}' must be a positive number up to {MaxStep:0e0}, not {argument.DescribeValue()}");
                    return false;
                }

                if (AvroTypes.IsInteger(field.ValueSchema) && argument.Number != Math.Floor(argument.Number))
                {
                    Error(argument.Offset, $"'{StepParameter}' of '{path}' must be a whole number, because '{path}' is {AvroTypes.Describe(field.ValueSchema)}");
                    return false;
                }

                transform = new FieldTransform(kind, Step: argument.Number);
                return ok;

            case TransformKind.BucketTime:
                if (argument.Integer is not { } minutes || minutes < 1 || minutes > MaxBucketMinutes)
                {
                    Error(argument.Offset, $"'{MinutesParameter}' of '{path}' must be a whole number from 1 to {MaxBucketMinutes}, not {argument.DescribeValue()}");
                    return false;
                }

                transform = new FieldTransform(kind, BucketMillis: minutes * 60_000L);
                return ok;

            default:
                if (argument.Integer is not { } precision || precision < 1 || precision > Generalization.Geohash.MaxPrecision)
                {
                    Error(argument.Offset, $"'{PrecisionParameter}' of '{path}' must be a whole number from 1 to {Generalization.Geohash.MaxPrecision}, not {argument.DescribeValue()}");
                    return false;
                }

                transform = new FieldTransform(kind, Precision: (int)precision);
                return ok;
        }
    }

    /// <summary>
    /// Checks a transform applies to its field: <c>pass</c> not to a whole record, <c>round</c> to numbers,
    /// <c>bucketTime</c> and <c>geohash</c> to their one field, <c>interestCategories</c> to <c>array&lt;string&gt;</c>
    /// with an interest map. <c>drop</c> and <c>pseudonymize</c> are <see cref="PrivacyRules"/>' to judge.
    /// </summary>
    public bool CheckApplies(string purpose, PolicyJsonProperty member, SchemaField field, TransformKind kind, bool hasInterests)
    {
        string path = member.Name;
        long at = member.NameOffset;
        switch (kind)
        {
            case TransformKind.Pass:
                if (field.IsRecord)
                {
                    Error(at, $"cannot pass the record field '{path}' whole; list the fields of it that should leave");
                    return false;
                }

                return true;

            case TransformKind.Round:
                if (!AvroTypes.IsNumber(field.ValueSchema))
                {
                    Error(at, $"transform '{TransformNames.Round}' needs an int, long, float or double field; '{path}' is {AvroTypes.Describe(field.ValueSchema)}");
                    return false;
                }

                return true;

            case TransformKind.BucketTime:
                if (path != PolicyInputs.EventTimeField)
                {
                    Error(at, $"transform '{TransformNames.BucketTime}' applies only to '{PolicyInputs.EventTimeField}', not '{path}'");
                    return false;
                }

                return true;

            case TransformKind.Geohash:
                if (path != PolicyInputs.LocationField)
                {
                    Error(at, $"transform '{TransformNames.Geohash}' applies only to the record field '{PolicyInputs.LocationField}', not '{path}'");
                    return false;
                }

                return true;

            case TransformKind.InterestCategories:
                if (!AvroTypes.IsStringArray(field.ValueSchema))
                {
                    Error(at, $"transform '{TransformNames.InterestCategories}' needs an array<string> field; '{path}' is {AvroTypes.Describe(field.ValueSchema)}");
                    return false;
                }

                if (!hasInterests)
                {
                    Error(at, $"transform '{TransformNames.InterestCategories}' on '{path}' (purpose '{purpose}') needs a non-empty top-level '{PolicyShapeReader.InterestCategoriesKey}' map");
                    return false;
                }

                return true;

            default:
                return true;
        }
    }

    private void Error(long offset, string problem) => _diagnostics.Add(offset, problem);
}
