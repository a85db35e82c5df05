namespace Sieve.Core.Landing;

/// <summary>Points in a flush where tests make the sink stop as if the process died there.</summary>
internal enum SinkFaultPoint
{
    /// <summary>A temporary file was written and synced, not yet renamed.</summary>
    AfterTempWritten,
    /// <summary>One file of a range was renamed into place.</summary>
    AfterPublish,
    /// <summary>Every file was published; offsets not committed yet.</summary>
    BeforeCommit,
    /// <summary>Offsets were committed.</summary>
    AfterCommit,
}
