using Sieve.Fuzz.Harnesses;
using Sieve.Testing;

namespace Sieve.Tests.Fuzzing;

/// <summary>
/// Replays every input of <c>fuzz/corpus/</c> through its harness (see <c>fuzz/README.md</c>): every input afl-fuzz
/// once kept for the coverage it reached must still keep every contract the harness checks.
/// </summary>
public sealed class FuzzCorpusTests
{
    private static string CorpusRoot => Path.Combine(RepoPaths.Root, "fuzz", "corpus");

    public static TheoryData<string, string> CorpusFiles()
    {
        var data = new TheoryData<string, string>();
        foreach (string harness in Harnesses.All.Keys)
        {
            string folder = Path.Combine(CorpusRoot, harness);
            if (!Directory.Exists(folder))
            {
                continue;
            }

            foreach (string file in Directory.GetFiles(folder).Order(StringComparer.Ordinal))
            {
                data.Add(harness, Path.GetFileName(file));
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(CorpusFiles))]
    public void Corpus_input_keeps_the_harness_contract(string harness, string file)
    {
        byte[] input = File.ReadAllBytes(Path.Combine(CorpusRoot, harness, file));

        // A breach throws FuzzContractViolation, naming the check that failed.
        Harnesses.All[harness](input);
    }

    [Fact]
    public void Every_harness_has_a_non_empty_corpus()
    {
        foreach (string harness in Harnesses.All.Keys)
        {
            string folder = Path.Combine(CorpusRoot, harness);
            Assert.True(Directory.Exists(folder) && Directory.EnumerateFiles(folder).Any(), $"fuzz/corpus/{harness} is missing or empty");
        }
    }

    [Fact]
    public void Every_corpus_folder_belongs_to_a_harness()
    {
        string[] folders = Directory.GetDirectories(CorpusRoot).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;
        Assert.Equal(Harnesses.All.Keys.Order(StringComparer.Ordinal), folders);
    }
}
