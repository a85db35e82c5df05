using System.Text;
using Sieve.Contracts.Identifiers;
using Sieve.Testing.Identifiers;

namespace Sieve.Tests.Identifiers;

public class VinNormalizationTests
{
    // Check digits verified independently of the code under test (ISO 3779 weights, mod 11).
    [Theory]
    [InlineData("1M8GDM9AXKP042788")]
    [InlineData("1HGCM82633A004352")]
    [InlineData("JH4KA7561PC008269")]
    [InlineData("LSVAU218XN2183294")]
    [InlineData("LFV2A21K8J3000001")]
    [InlineData("LGBH52E06KY000123")]
    public void Valid_vins_normalize_to_themselves(string vin)
    {
        Assert.Equal(vin, Normalized.Ok(SubjectType.Vin, vin));
    }

    [Fact]
    public void Lower_case_and_surrounding_whitespace_are_normalized_away()
    {
        Assert.Equal("1M8GDM9AXKP042788", Normalized.Ok(SubjectType.Vin, " \t1m8gdm9axkp042788\r\n"));
    }

    [Theory]
    [InlineData("LSVAU2180N2183294")] // the check digit of this one is X
    [InlineData("1M8GDM9A0KP042788")]
    [InlineData("1HGCM82643A004352")]
    [InlineData("1HGCM826A3A004352")] // a letter other than X where the check digit goes
    public void Wrong_check_digit_is_invalid_checksum(string vin)
    {
        Assert.Equal(NormalizeStatus.InvalidChecksum, Normalized.Fails(SubjectType.Vin, vin));
    }

    [Fact]
    public void One_changed_character_is_caught_by_the_check_digit()
    {
        Assert.Equal(NormalizeStatus.InvalidChecksum, Normalized.Fails(SubjectType.Vin, "1M8GDM9AXKP042789"));
    }

    [Theory]
    [InlineData("1M8GDM9AXIP042788")]
    [InlineData("1M8GDM9AXOP042788")]
    [InlineData("1M8GDM9AXQP042788")]
    [InlineData("1m8gdm9axqp042788")]
    [InlineData("1M8GDM9AX-P042788")]
    [InlineData("1M8GDM9AX P042788")]
    [InlineData("1M8GDM9AXÄP04278")] // Ä is two UTF-8 bytes: 17 bytes in all
    public void Forbidden_characters_are_invalid_character(string vin)
    {
        Assert.Equal(NormalizeStatus.InvalidCharacter, Normalized.Fails(SubjectType.Vin, vin));
    }

    [Theory]
    [InlineData("1M8GDM9AXKP04278", NormalizeStatus.InvalidLength)]
    [InlineData("1M8G", NormalizeStatus.InvalidLength)]
    [InlineData("1M8GDM9AXKP0427880", NormalizeStatus.TooLong)]
    [InlineData("", NormalizeStatus.Empty)]
    [InlineData(" \t ", NormalizeStatus.Empty)]
    public void Wrong_lengths(string vin, NormalizeStatus expected)
    {
        Assert.Equal(expected, Normalized.Fails(SubjectType.Vin, vin));
    }

    [Fact]
    public void Input_over_the_raw_cap_is_too_long_without_being_read()
    {
        string padded = new string(' ', IdentifierNormalizer.MaxRawLength) + "1M8GDM9AXKP042788";
        Assert.Equal(NormalizeStatus.TooLong, Normalized.Fails(SubjectType.Vin, padded));
    }

    [Theory]
    [InlineData("1M8GDM9A?KP042788", 'X')]
    [InlineData("1hgcm826?3a004352", '3')]
    [InlineData("LSVAU2180N2183294", 'X')]
    [InlineData("LGBH52E00KY000123", '6')]
    public void Compute_vin_check_digit_ignores_position_nine(string vin, char expected)
    {
        Assert.Equal(expected, IdentifierNormalizer.ComputeVinCheckDigit(Encoding.ASCII.GetBytes(vin)));
    }

    [Fact]
    public void Generated_vins_validate()
    {
        byte[] vin = Encoding.ASCII.GetBytes("LSGZZZ0AZPA000000");
        for (int serial = 0; serial < 200; serial++)
        {
            Encoding.ASCII.GetBytes(serial.ToString("D6", System.Globalization.CultureInfo.InvariantCulture)).CopyTo(vin, 11);
            vin[8] = (byte)IdentifierNormalizer.ComputeVinCheckDigit(vin);
            Assert.Equal(Encoding.ASCII.GetString(vin), Normalized.Ok(SubjectType.Vin, Encoding.ASCII.GetString(vin)));
        }
    }

    [Fact]
    public void Compute_vin_check_digit_rejects_bad_input_naming_only_the_position()
    {
        Assert.Throws<ArgumentException>(() => IdentifierNormalizer.ComputeVinCheckDigit("1M8GDM9AXKP04278"u8));
        ArgumentException e = Assert.Throws<ArgumentException>(() => IdentifierNormalizer.ComputeVinCheckDigit("1M8GDM9AXKP0O2788"u8));
        Assert.Contains("position 13", e.Message);
        Assert.DoesNotContain("1M8GDM9AXKP0O2788", e.Message);
    }
}
