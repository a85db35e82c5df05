using Sieve.Contracts.Identifiers;

namespace Sieve.Commands;

/// <summary>The command-line names of <see cref="SubjectType"/>: <c>vin</c>, <c>phone</c>, <c>mac</c>, <c>device-id</c>.</summary>
internal static class SubjectTypeNames
{
    /// <summary>Every name, in <see cref="SubjectType"/> order.</summary>
    public static IReadOnlyList<string> All { get; } = ["vin", "phone", "mac", "device-id"];

    /// <summary>The name of <paramref name="type"/>.</summary>
    public static string NameOf(SubjectType type) => All[(int)type];

    /// <summary>The type named <paramref name="name"/> (case-insensitive).</summary>
    public static bool TryParse(string? name, out SubjectType type)
    {
        for (int i = 0; i < All.Count; i++)
        {
            if (string.Equals(All[i], name?.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                type = (SubjectType)i;
                return true;
            }
        }

        type = default;
        return false;
    }
}
