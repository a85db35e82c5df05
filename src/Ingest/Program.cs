namespace Sieve.Ingest;

/// <summary>Entry point of the Ingest service. (Wiring comes with the Teltonika and gateway endpoints.)</summary>
public static class Program
{
    /// <summary>Starts the service.</summary>
    public static int Main(string[] args)
    {
        _ = args;
        return 0;
    }
}
