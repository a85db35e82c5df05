using System.Security.Cryptography;
using Sieve.Contracts.Pseudonymization;

namespace Sieve.Testing.Pseudonymization;

/// <summary>Rings with fresh random secrets, for tests that need keys other than the demo key.</summary>
internal static class TestRings
{
    public static MasterKey RandomKey(string id) => new(id, RandomNumberGenerator.GetBytes(32));

    public static MasterKeyRing Single(string id) => new([RandomKey(id)], id);
}
