using Sieve.Contracts.Schemas;

namespace Sieve.Tests.Codec;

/// <summary>
/// The raw-event codecs are hand-written. These pins make any edit of the .avsc files fail the build's tests until
/// the codec (and its cross-check tests) are updated with it.
/// </summary>
public sealed class SchemaDriftTests
{
    [Theory]
    [InlineData("sieve.raw.TelematicsEvent", SchemaFingerprints.TelematicsEvent)]
    [InlineData("sieve.raw.WifiEvent", SchemaFingerprints.WifiEvent)]
    [InlineData("sieve.consent.ConsentChange", SchemaFingerprints.ConsentChange)]
    public void Hand_written_codec_pins_the_schema_fingerprint(string fullName, ulong pinned)
    {
        SchemaInfo info = SchemaCatalog.Default.Get(fullName);
        Assert.True(info.Fingerprint == pinned,
            $"{info.FileName} changed (fingerprint 0x{info.Fingerprint:X16}, codec pins 0x{pinned:X16}). " +
            "Update the span codec in src/Contracts/Records and SchemaFingerprints together.");
    }
}
