using System.Text;
using Sieve.Contracts.Identifiers;

namespace Sieve.Testing.Identifiers;

/// <summary>Test helper: runs the span normalizer on a string and returns the outcome as managed values.</summary>
internal static class Normalized
{
    public static (NormalizeStatus Status, string? Value, IdentifierFlags Flags) Of(SubjectType type, string raw)
    {
        byte[] destination = new byte[IdentifierNormalizer.MaxNormalizedLength];
        NormalizeStatus status = IdentifierNormalizer.TryNormalize(type, Encoding.UTF8.GetBytes(raw), destination, out int written, out IdentifierFlags flags);
        if (status != NormalizeStatus.Ok)
        {
            Assert.Equal(0, written);
            Assert.Equal(IdentifierFlags.None, flags);
            return (status, null, flags);
        }

        string value = Encoding.ASCII.GetString(destination, 0, written);
        foreach (char c in value)
        {
            Assert.True(c < 0x80, "normalized output must be ASCII");
        }

        return (status, value, flags);
    }

    public static string Ok(SubjectType type, string raw)
    {
        (NormalizeStatus status, string? value, _) = Of(type, raw);
        Assert.Equal(NormalizeStatus.Ok, status);
        return value!;
    }

    public static NormalizeStatus Fails(SubjectType type, string raw)
    {
        (NormalizeStatus status, string? value, _) = Of(type, raw);
        Assert.NotEqual(NormalizeStatus.Ok, status);
        Assert.Null(value);
        return status;
    }
}
