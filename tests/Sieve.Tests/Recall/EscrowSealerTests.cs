using System.Security.Cryptography;
using System.Text;
using Avro.Generic;
using Sieve.Contracts.Identifiers;
using Sieve.Contracts.Pseudonymization;
using Sieve.Contracts.Purposes;
using Sieve.Core.Recall;
using Sieve.Testing.Codec;

namespace Sieve.Tests.Recall;

public sealed class EscrowSealerTests
{
    private const string Vin = "LSVAU218XN2183294";
    private static readonly byte[] VinUtf8 = Encoding.UTF8.GetBytes(Vin);
    private static readonly string Pseudonym = QualityPseudonym(MasterKeyRing.CreateDemo(), Vin);

    internal static string QualityPseudonym(MasterKeyRing ring, string vin)
    {
        using PseudonymKey key = new PseudonymKeyFactory(ring).Create(KnownPurposes.Quality, PseudonymKeyFactory.StableEpoch);
        return key.ComputeString(SubjectType.Vin, vin);
    }

    private static EscrowRecord Seal(RecallKey key, string pseudonym, string vin, long at = 1_767_225_600_000)
    {
        using var sealer = new EscrowSealer(key);
        byte[] value = new byte[EscrowSealer.MaxValueBytes];
        int written = sealer.Seal(Encoding.ASCII.GetBytes(pseudonym), Encoding.UTF8.GetBytes(vin), at, value);
        Assert.True(EscrowCodec.TryDecode(value.AsSpan(0, written), out EscrowRecord? record, out string? reason), reason);
        return record;
    }

    [Fact]
    public void A_sealed_vin_opens_with_the_recall_key_for_its_pseudonym()
    {
        RecallKey key = RecallKey.Create("recall-1");
        EscrowRecord record = Seal(key, Pseudonym, Vin);

        using var opener = new EscrowOpener(key);
        Assert.Equal(EscrowOpenStatus.Opened, opener.Open(record, Pseudonym, out string? vin));
        Assert.Equal(Vin, vin);
        Assert.Equal(Pseudonym, record.Pseudonym);
        Assert.Equal("recall-1", record.RecallKeyId);
        Assert.Equal(1_767_225_600_000, record.SealedAtMillis);
        Assert.Equal(12, record.Nonce.Length);
        Assert.Equal(Vin.Length + 16, record.Ciphertext.Length);
        Assert.DoesNotContain(Vin, Encoding.ASCII.GetString(record.Ciphertext), StringComparison.Ordinal);
    }

    [Fact]
    public void The_value_is_a_single_object_of_the_escrow_schema_as_Apache_Avro_reads_it()
    {
        RecallKey key = RecallKey.Create("recall-1");
        using var sealer = new EscrowSealer(key);
        byte[] value = new byte[EscrowSealer.MaxValueBytes];
        int written = sealer.Seal(Encoding.ASCII.GetBytes(Pseudonym), VinUtf8, 1234, value);

        GenericRecord record = ApacheAvroBridge.ReadSingleObject(value[..written], "sieve.recall.RecallEscrow");
        Assert.Equal(Pseudonym, record["pseudonym"]);
        Assert.Equal("recall-1", record["recallKeyId"]);
        Assert.Equal(12, ((byte[])record["nonce"]).Length);
        Assert.Equal(Vin.Length + 16, ((byte[])record["ciphertext"]).Length);
        Assert.Equal(1234, ApacheAvroBridge.Millis(record["sealedAt"]));
    }

    [Fact]
    public void Every_seal_has_a_fresh_nonce()
    {
        RecallKey key = RecallKey.Create("recall-1");
        EscrowRecord first = Seal(key, Pseudonym, Vin);
        EscrowRecord second = Seal(key, Pseudonym, Vin);

        Assert.NotEqual(first.Nonce, second.Nonce);
        Assert.NotEqual(first.Ciphertext, second.Ciphertext);
    }

    [Fact]
    public void Another_recall_key_with_the_same_id_cannot_open_an_entry()
    {
        EscrowRecord record = Seal(RecallKey.Create("recall-1"), Pseudonym, Vin);

        using var opener = new EscrowOpener(RecallKey.Create("recall-1"));
        Assert.Equal(EscrowOpenStatus.Failed, opener.Open(record, Pseudonym, out string? vin));
        Assert.Null(vin);
    }

    [Fact]
    public void An_entry_of_another_key_id_is_reported_as_such()
    {
        EscrowRecord record = Seal(RecallKey.Create("recall-1"), Pseudonym, Vin);

        using var opener = new EscrowOpener(RecallKey.Create("recall-2"));
        Assert.Equal(EscrowOpenStatus.OtherKey, opener.Open(record, Pseudonym, out _));
    }

    [Fact]
    public void An_entry_relabelled_with_another_key_id_fails_even_under_the_same_secret()
    {
        byte[] secret = RandomNumberGenerator.GetBytes(32);
        EscrowRecord record = Seal(new RecallKey("recall-1", secret), Pseudonym, Vin);

        using var opener = new EscrowOpener(new RecallKey("recall-2", secret));
        Assert.Equal(EscrowOpenStatus.Failed, opener.Open(record with { RecallKeyId = "recall-2" }, Pseudonym, out _));
    }

    [Fact]
    public void A_tampered_ciphertext_or_nonce_fails_to_open()
    {
        RecallKey key = RecallKey.Create("recall-1");
        EscrowRecord record = Seal(key, Pseudonym, Vin);
        byte[] ciphertext = (byte[])record.Ciphertext.Clone();
        ciphertext[3] ^= 0x01;
        byte[] tag = (byte[])record.Ciphertext.Clone();
        tag[^1] ^= 0x80;
        byte[] nonce = (byte[])record.Nonce.Clone();
        nonce[0] ^= 0x01;

        using var opener = new EscrowOpener(key);
        Assert.Equal(EscrowOpenStatus.Failed, opener.Open(record with { Ciphertext = ciphertext }, Pseudonym, out _));
        Assert.Equal(EscrowOpenStatus.Failed, opener.Open(record with { Ciphertext = tag }, Pseudonym, out _));
        Assert.Equal(EscrowOpenStatus.Failed, opener.Open(record with { Nonce = nonce }, Pseudonym, out _));
        Assert.Equal(EscrowOpenStatus.Opened, opener.Open(record, Pseudonym, out _));
    }

    [Fact]
    public void An_entry_moved_under_another_pseudonym_fails_to_open()
    {
        RecallKey key = RecallKey.Create("recall-1");
        string other = QualityPseudonym(MasterKeyRing.CreateDemo(), "1M8GDM9AXKP042788");
        EscrowRecord record = Seal(key, Pseudonym, Vin);

        using var opener = new EscrowOpener(key);
        Assert.Equal(EscrowOpenStatus.Failed, opener.Open(record, other, out _));
        Assert.Equal(EscrowOpenStatus.Failed, opener.Open(record with { Pseudonym = other }, other, out _));
    }

    [Fact]
    public void Keys_the_general_master_key_ring_gives_cannot_open_the_escrow()
    {
        MasterKeyRing ring = MasterKeyRing.CreateDemo();
        RecallKey recall = RecallKey.Create("recall-1");
        EscrowRecord record = Seal(recall, Pseudonym, Vin);
        byte[] associated = new byte[EscrowFormat.MaxAssociatedDataLength];
        int associatedLength = EscrowFormat.WriteAssociatedData(Encoding.ASCII.GetBytes(Pseudonym), Encoding.UTF8.GetBytes(recall.Id), associated);

        // Whatever the ring derives for the quality purpose (the pseudonym key, any epoch), and the master secret itself.
        var candidates = new List<byte[]> { ring.Active.Secret.ToArray() };
        foreach (string epoch in new[] { PseudonymKeyFactory.StableEpoch, "2026-01-01" })
        {
            byte[] derived = new byte[PseudonymKeyFactory.KeyLength];
            Hkdf.DeriveKey(ring.Active.Secret, Encoding.UTF8.GetBytes(PseudonymKeyFactory.Salt), Encoding.UTF8.GetBytes("purpose=quality;epoch=" + epoch), derived);
            candidates.Add(derived);
        }

        int plainLength = record.Ciphertext.Length - 16;
        foreach (byte[] candidate in candidates)
        {
            using var aes = new AesGcm(candidate, 16);
            byte[] plain = new byte[plainLength];
            Assert.Throws<AuthenticationTagMismatchException>(() =>
                aes.Decrypt(record.Nonce, record.Ciphertext.AsSpan(0, plainLength), record.Ciphertext.AsSpan(plainLength), plain, associated.AsSpan(0, associatedLength)));
        }

        using var control = new EscrowOpener(recall);
        Assert.Equal(EscrowOpenStatus.Opened, control.Open(record, Pseudonym, out _));
    }

    [Fact]
    public void Malformed_pseudonym_vin_or_small_destination_is_refused()
    {
        using var sealer = new EscrowSealer(RecallKey.Create("recall-1"));
        byte[] value = new byte[EscrowSealer.MaxValueBytes];

        Assert.Throws<ArgumentException>(() => sealer.Seal("TOO-SHORT"u8, VinUtf8, 1, value));
        Assert.Throws<ArgumentException>(() => sealer.Seal(Encoding.ASCII.GetBytes(Pseudonym.ToUpperInvariant()), VinUtf8, 1, value));
        Assert.Throws<ArgumentException>(() => sealer.Seal(Encoding.ASCII.GetBytes(Pseudonym), ReadOnlySpan<byte>.Empty, 1, value));
        Assert.Throws<ArgumentException>(() => sealer.Seal(Encoding.ASCII.GetBytes(Pseudonym), new byte[33], 1, value));
        Assert.Throws<ArgumentException>(() => sealer.Seal(Encoding.ASCII.GetBytes(Pseudonym), VinUtf8, 1, new byte[40]));
    }

    [Fact]
    public void The_longest_value_fits_MaxValueBytes()
    {
        using var sealer = new EscrowSealer(RecallKey.Create(new string('k', RecallKey.MaxIdLength)));
        byte[] value = new byte[EscrowSealer.MaxValueBytes];

        int written = sealer.Seal(Encoding.ASCII.GetBytes(Pseudonym), new byte[32], long.MinValue, value);

        Assert.InRange(written, EscrowSealer.MaxValueBytes - 8, EscrowSealer.MaxValueBytes);
    }

    [Fact]
    public void Sealing_allocates_nothing_per_call()
    {
        using var sealer = new EscrowSealer(RecallKey.Create("recall-1"));
        byte[] pseudonym = Encoding.ASCII.GetBytes(Pseudonym);
        byte[] value = new byte[EscrowSealer.MaxValueBytes];
        for (int i = 0; i < 1_000; i++)
        {
            sealer.Seal(pseudonym, VinUtf8, i, value);
        }

        // A per-call allocation shows in every round; a JIT promotion on a loaded machine in one at most.
        long allocated = long.MaxValue;
        for (int round = 0; round < 5 && allocated != 0; round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 2_000; i++)
            {
                sealer.Seal(pseudonym, VinUtf8, value);
            }

            allocated = Math.Min(allocated, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.Equal(0, allocated);
    }
}
