namespace Sieve.Core.Recall;

/// <summary>The syntax of campaign, request and operator ids: 1 to 64 characters of <c>[A-Za-z0-9._-]</c>.</summary>
public static class RecallToken
{
    /// <summary>Longest id.</summary>
    public const int MaxLength = 64;

    /// <summary>True when <paramref name="text"/> is a valid id.</summary>
    public static bool IsValid(string? text) => text is not null && RecallKey.IsValidId(text);

    /// <summary>The problem text for an option or field <paramref name="name"/> that is not an id.</summary>
    public static string Rule(string name) => $"{name} must be 1 to {MaxLength} characters of A-Z, a-z, 0-9, '.', '_' and '-'";
}
