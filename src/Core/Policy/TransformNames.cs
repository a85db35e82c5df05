namespace Sieve.Core.Policy;

/// <summary>
/// The transform names a policy file uses. <c>drop</c> is <see cref="TransformKind.None"/>: the field fills nothing.
/// </summary>
public static class TransformNames
{
    /// <summary>The value as it is.</summary>
    public const string Pass = "pass";
    /// <summary>The field does not leave.</summary>
    public const string Drop = "drop";
    /// <summary>The subject identifier becomes the purpose pseudonym.</summary>
    public const string Pseudonymize = "pseudonymize";
    /// <summary>Round to a step (parameter <c>step</c>).</summary>
    public const string Round = "round";
    /// <summary>Floor the event time to a bucket (parameter <c>minutes</c>).</summary>
    public const string BucketTime = "bucketTime";
    /// <summary>Location to geohash (parameter <c>precision</c>).</summary>
    public const string Geohash = "geohash";
    /// <summary>Browsing domains to interest categories.</summary>
    public const string InterestCategories = "interestCategories";

    /// <summary>Every transform name, as listed in error messages.</summary>
    public static IReadOnlyList<string> All { get; } = [Pass, Drop, Pseudonymize, Round, BucketTime, Geohash, InterestCategories];

    /// <summary>The policy-file name of <paramref name="kind"/>.</summary>
    public static string NameOf(TransformKind kind) => kind switch
    {
        TransformKind.Pass => Pass,
        TransformKind.Round => Round,
        TransformKind.BucketTime => BucketTime,
        TransformKind.Geohash => Geohash,
        TransformKind.InterestCategories => InterestCategories,
        TransformKind.Pseudonymize => Pseudonymize,
        _ => Drop,
    };

    /// <summary>The transform a policy-file name denotes (case-sensitive).</summary>
    public static bool TryParse(string name, out TransformKind kind)
    {
        kind = name switch
        {
            Pass => TransformKind.Pass,
            Drop => TransformKind.None,
            Pseudonymize => TransformKind.Pseudonymize,
            Round => TransformKind.Round,
            BucketTime => TransformKind.BucketTime,
            Geohash => TransformKind.Geohash,
            InterestCategories => TransformKind.InterestCategories,
            _ => (TransformKind)255,
        };

        return kind != (TransformKind)255;
    }
}
