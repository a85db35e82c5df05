using Sieve.Fuzz.Harnesses;

namespace Sieve.Fuzz;

/// <summary>
/// <c>Sieve.Fuzz &lt;harness&gt;</c>: the afl-fuzz target (SharpFuzz out-of-process loop over stdin/the input file).
/// <c>Sieve.Fuzz replay &lt;harness&gt; &lt;file&gt;...</c>: runs inputs once and reports each outcome (triage).
/// <c>Sieve.Fuzz seeds &lt;corpus-dir&gt; &lt;repo-root&gt;</c>: writes the seed inputs of every harness.
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        if (args.Length >= 1 && Harnesses.Harnesses.All.TryGetValue(args[0], out Harness? harness))
        {
            SharpFuzz.Fuzzer.OutOfProcess.Run(stream =>
            {
                using var buffer = new MemoryStream();
                stream.CopyTo(buffer);
                harness(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
            });
            return 0;
        }

        if (args.Length >= 3 && args[0] == "replay" && Harnesses.Harnesses.All.TryGetValue(args[1], out harness))
        {
            int failures = 0;
            foreach (string file in args[2..])
            {
                try
                {
                    harness(File.ReadAllBytes(file));
                    Console.WriteLine("ok    " + file);
                }
                catch (Exception e)
                {
                    failures++;
                    Console.WriteLine("FAIL  " + file + "\n" + e);
                }
            }

            return failures == 0 ? 0 : 1;
        }

        if (args.Length == 3 && args[0] == "seeds")
        {
            foreach (string name in Harnesses.Harnesses.All.Keys)
            {
                string folder = Path.Combine(args[1], name);
                Directory.CreateDirectory(folder);
                foreach ((string file, byte[] bytes) in Seeds.For(name, args[2]))
                {
                    File.WriteAllBytes(Path.Combine(folder, "seed-" + file), bytes);
                }
            }

            return 0;
        }

        Console.Error.WriteLine("usage: Sieve.Fuzz <harness> | replay <harness> <file>... | seeds <corpus-dir> <repo-root>");
        Console.Error.WriteLine("harnesses: " + string.Join(", ", Harnesses.Harnesses.All.Keys));
        return 2;
    }
}
