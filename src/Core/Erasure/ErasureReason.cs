namespace Sieve.Core.Erasure;

/// <summary>Why a subject is erased (Avro enum <c>sieve.erasure.ErasureReason</c>).</summary>
public enum ErasureReason
{
    /// <summary>The subject asked (<c>USER_REQUEST</c>).</summary>
    UserRequest = 0,
    /// <summary>The subject turned out to be a minor (<c>MINOR</c>).</summary>
    Minor = 1,
    /// <summary>Any other ground (<c>OTHER</c>).</summary>
    Other = 2,
}

/// <summary>What became of an erasure request (Avro enum <c>sieve.erasure.ErasureStatus</c>).</summary>
public enum ErasureStatus
{
    /// <summary>Marked, noticed, removed from the lake.</summary>
    Completed = 0,
    /// <summary>Not carried out; the receipt's detail says why (e.g. the identifier is not valid for its type).</summary>
    Rejected = 1,
}
