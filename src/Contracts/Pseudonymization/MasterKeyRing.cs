namespace Sieve.Contracts.Pseudonymization;

/// <summary>A master key: an id and secret bytes. ToString never shows the secret. (Stub.)</summary>
public sealed class MasterKey
{
    /// <summary>Key id, e.g. <c>k1</c>.</summary>
    public string Id { get; } = "";
}

/// <summary>The master keys, one of them active. (Stub.)</summary>
public sealed class MasterKeyRing
{
    /// <summary>The key new pseudonyms are made with.</summary>
    public MasterKey Active => throw new NotImplementedException();

    /// <summary>Every key, active first.</summary>
    public IReadOnlyList<MasterKey> Keys => throw new NotImplementedException();

    /// <summary>Loads from a keys file (JSON) or, when <paramref name="path"/> is null, from the <c>SIEVE_MASTER_KEYS</c> value.</summary>
    public static MasterKeyRing Load(string? path, string? environmentValue) => throw new NotImplementedException();

    /// <summary>A fixed, well-known ring for the demo and tests. Never for production data.</summary>
    public static MasterKeyRing CreateDemo() => throw new NotImplementedException();
}
