namespace Sieve.Core.Engine;

/// <summary>
/// Another instance with the same instance id (and so the same transactional id) took over. The fenced instance
/// stops: a new producer of its own would fence the other one in turn, and the two would take turns forever. Its
/// uncommitted batch is read again by the consumer group's next owner.
/// </summary>
public sealed class InstanceFencedException : Exception
{
    /// <summary>Creates the exception with the default message.</summary>
    public InstanceFencedException()
        : base("Another instance with the same instance id took over this instance's transactional producer.")
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/>.</summary>
    public InstanceFencedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/> and its cause.</summary>
    public InstanceFencedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
