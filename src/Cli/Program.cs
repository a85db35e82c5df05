namespace Sieve.Cli;

/// <summary>Entry point of the <c>sieve</c> command.</summary>
public static class Program
{
    /// <summary>Runs the command named by <paramref name="args"/>.</summary>
    public static int Main(string[] args)
    {
        Console.Error.WriteLine("usage: sieve demo|policy|consent ...");
        return args.Length == 0 ? 2 : 0;
    }
}
