using System.Text;
using Sieve.Contracts.Pseudonymization;
using Sieve.Core.Recall;

namespace Sieve.Tests.Recall;

public sealed class RecallKeyFileTests
{
    [Fact]
    public void A_written_recall_key_file_loads_back_with_its_id_and_key()
    {
        RecallKey key = RecallKey.Create("recall-2026");
        string json = RecallKeyFile.Write(key);

        RecallKey read = RecallKeyFile.Parse(Encoding.UTF8.GetBytes(json), "test");

        Assert.Equal("recall-2026", read.Id);
        Assert.Equal(key.Secret.ToArray(), read.Secret.ToArray());
        Assert.StartsWith("{\n  \"recallKey\": {", json.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Equal("RecallKey(recall-2026)", read.ToString());
    }

    [Fact]
    public void The_master_keys_file_is_refused_as_a_recall_key_by_name()
    {
        string keysFile = KeysFile.Generate("k1");

        RecallKeyException e = Assert.Throws<RecallKeyException>(() => RecallKeyFile.Parse(Encoding.UTF8.GetBytes(keysFile), "Recall key file 'keys.json'"));

        Assert.Equal("Recall key file 'keys.json' is a master keys file (activeKeyId, keys), not a recall key file; the recall key is separate: make one with 'sieve recall keygen'.", e.Message);
    }

    [Fact]
    public void The_recall_key_file_is_refused_as_a_master_keys_file_by_name()
    {
        string recallFile = RecallKeyFile.Write(RecallKey.Create("recall-1"));

        KeyRingException e = Assert.Throws<KeyRingException>(() => KeysFile.Parse(Encoding.UTF8.GetBytes(recallFile), "Keys file 'recall.json'"));

        Assert.Equal("Keys file 'recall.json' is a recall key file ('recallKey'), not a master keys file; the recall key never serves as a master key.", e.Message);
    }

    [Theory]
    [InlineData("{\"recallKey\": {\"id\": \"r1\", \"key\": \"AAAA\"}}", "recallKey.key decodes to 3 bytes")]
    [InlineData("{\"recallKey\": {\"id\": \"bad id\", \"key\": \"AAAA\"}}", "recallKey.id must be")]
    [InlineData("{\"recallKey\": \"x\"}", "'recallKey' must be an object")]
    [InlineData("{\"other\": 1}", "has no 'recallKey' object")]
    [InlineData("[1]", "the top level must be a JSON object")]
    [InlineData("{", "is not valid JSON")]
    public void Malformed_recall_key_files_say_what_is_wrong_without_values(string json, string expected)
    {
        RecallKeyException e = Assert.Throws<RecallKeyException>(() => RecallKeyFile.Parse(Encoding.UTF8.GetBytes(json), "f"));

        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("AAAA", e.Message, StringComparison.Ordinal);
    }
}
