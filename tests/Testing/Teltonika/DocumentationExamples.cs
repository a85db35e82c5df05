namespace Sieve.Testing.Teltonika;

/// <summary>
/// Worked examples from Teltonika's "Teltonika Data Sending Protocols" (Codec) documentation, copied as given there,
/// with the values the documentation decodes them to.
/// </summary>
internal static class DocumentationExamples
{
    /// <summary>The opening message of the examples: length 15 and IMEI 356307042441013.</summary>
    public static readonly byte[] Handshake = Convert.FromHexString("000F333536333037303432343431303133");

    /// <summary>The example IMEI.</summary>
    public const string Imei = "356307042441013";

    /// <summary>
    /// Codec 8, first example: one record, 2019-06-10 10:04:46 UTC, priority 1, no GPS fix, event IO 1, IO 21 = 3,
    /// IO 1 = 1, IO 66 = 0x5E0F, IO 241 = 0x601A, IO 78 = 0; CRC 0xC7CF.
    /// </summary>
    public static readonly byte[] Codec8First = Convert.FromHexString(
        "000000000000003608010000016B40D8EA30010000000000000000000000000000000105021503010101425E0F01F10000601A014E0000000000000000010000C7CF");

    /// <summary>Codec 8, second example: one record, 2019-06-10 10:05:36 UTC, IO 21 = 3, IO 1 = 1, IO 66 = 0x5E10; CRC 0xF22A.</summary>
    public static readonly byte[] Codec8Second = Convert.FromHexString(
        "000000000000002808010000016B40D9AD80010000000000000000000000000000000103021503010101425E100000010000F22A");

    /// <summary>Codec 8, third example: two records (10:01:01 with IO 1 = 0, 10:01:19 with IO 1 = 1); CRC 0x252C.</summary>
    public static readonly byte[] Codec8Third = Convert.FromHexString(
        "000000000000004308020000016B40D57B480100000000000000000000000000000001010101000000000000016B40D5C198010000000000000000000000000000000101010101000000020000252C");

    /// <summary>
    /// Codec 8 Extended example: one record, 2019-06-10 11:36:32 UTC, priority 1, event IO 1, IO 1 = 1, IO 17 = 0x1D,
    /// IO 16 = 0x015E2C88, IO 11 = 0x3544C87A, IO 14 = 0x1DD7E06A, no NX elements; CRC 0x2994.
    /// </summary>
    public static readonly byte[] Codec8Extended = Convert.FromHexString(
        "000000000000004A8E010000016B412CEE000100000000000000000000000000000000010005000100010100010011001D00010010015E2C880002000B000000003544C87A000E000000001DD7E06A00000100002994");

    /// <summary>
    /// Codec 8 Extended parsing example with a variable-size element: one record, 2022-09-23 04:22:29.011 UTC,
    /// priority 0, longitude 25.2597500, latitude 54.7008600, altitude 179 m, angle 180, 14 satellites, speed 0,
    /// event IO 10831 (0x2A4F), no fixed-size elements and one NX element: IO 10831, 30 bytes; CRC 0x823F.
    /// </summary>
    public static readonly byte[] Codec8ExtendedNx = Convert.FromHexString(
        "000000000000004b8e010000018368952793000f0e54fc209ab05800b300b40e00002a4f000100000000000000000001"
        + "2a4f001e011c0001a40110eb47706aa38255aa96f21a154e2d00550d01000e020bd6"
        + "010000823f");

    /// <summary>The 30 value bytes of the NX element of <see cref="Codec8ExtendedNx"/>.</summary>
    public static readonly byte[] Codec8ExtendedNxValue = Convert.FromHexString("011c0001a40110eb47706aa38255aa96f21a154e2d00550d01000e020bd6");
}
