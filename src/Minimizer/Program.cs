namespace Sieve.Minimizer;

/// <summary>Entry point of the Minimizer service.</summary>
public static class Program
{
    /// <summary>Starts the service.</summary>
    public static int Main(string[] args)
    {
        _ = args;
        return 0;
    }
}
