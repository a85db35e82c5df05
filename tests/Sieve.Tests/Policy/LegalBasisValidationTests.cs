using Sieve.Core.Policy;
using static Sieve.Testing.Policy.PolicyTestText;

namespace Sieve.Tests.Policy;

/// <summary>
/// A purpose without consent is either anonymized or a declared legal obligation that names its law, keeps a keyed
/// pseudonym and forwards no location; only such a purpose may escrow VINs for recalls.
/// </summary>
public sealed class LegalBasisValidationTests
{
    private static string DefaultPolicy
    {
        get
        {
            using Stream stream = typeof(PolicyLoader).Assembly.GetManifestResourceStream(PolicyLoader.DefaultResourceName)!;
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        }
    }

    private const string PositioningConsent = "\"consentRequired\": true,\n      \"legalBasis\": \"consent\",\n      \"consentMaxAge\": \"365d\",\n      \"pseudonym\": \"stable\",\n      \"telematics\": {\n        \"vin\": \"pseudonymize\",\n        \"eventTime\": \"pass\"";

    [Fact]
    public void A_legal_obligation_that_forwards_location_is_rejected_field_by_field()
    {
        string json = DefaultPolicy.Edit(PositioningConsent, PositioningConsent
            .Replace("\"consentRequired\": true", "\"consentRequired\": false", StringComparison.Ordinal)
            .Replace("\n      \"consentMaxAge\": \"365d\",", "", StringComparison.Ordinal)
            .Replace("\"legalBasis\": \"consent\"", "\"legalBasis\": \"legal-obligation\", \"legalReference\": \"a law\"", StringComparison.Ordinal));

        IReadOnlyList<PolicyError> errors = ErrorsOf(json);

        Assert.Equal(
            ["latitude", "longitude", "speedKph", "headingDeg"],
            errors.Select(e => e.Problem).Where(p => p.StartsWith("purpose 'positioning' forwards location", StringComparison.Ordinal))
                .Select(p => p.Split('\'')[3]));
        Assert.Contains(errors, e => e.Problem == "purpose 'positioning' forwards location ('latitude') without consent; a 'legal-obligation' purpose forwards no location, so drop the field from its output schema or make the purpose 'consent'");
        Assert.Equal(4, errors.Count);
    }

    [Fact]
    public void A_legal_obligation_names_its_law()
    {
        string json = DefaultPolicy.Edit("      \"legalReference\": \"Regulation on the Administration of Recall", "      \"legalReferenceX\": \"Regulation on the Administration of Recall");
        IReadOnlyList<PolicyError> errors = ErrorsOf(json);
        Assert.Contains(errors, e => e.Problem.StartsWith("unknown key 'legalReferenceX' in purpose 'quality'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Problem.StartsWith("purpose 'quality' declares 'legal-obligation' without 'legalReference'; name the law", StringComparison.Ordinal));
    }

    [Fact]
    public void The_basis_and_consentRequired_agree()
    {
        string json = DefaultPolicy.Edit(PositioningConsent, PositioningConsent.Replace("\"consentRequired\": true", "\"consentRequired\": false", StringComparison.Ordinal)
            .Replace("\n      \"consentMaxAge\": \"365d\",", "", StringComparison.Ordinal));
        ExpectSingle(json, "\"legalBasis\": \"consent\",\n      \"pseudonym\": \"stable\",\n      \"telematics\": {\n        \"vin\": \"pseudonymize\",\n        \"eventTime\": \"pass\"",
            "purpose 'positioning' declares 'legalBasis': 'consent' but 'consentRequired' is false; set it to true");

        string obliged = DefaultPolicy.Edit("\"consentRequired\": false,\n      \"legalBasis\": \"legal-obligation\"", "\"consentRequired\": true,\n      \"legalBasis\": \"legal-obligation\"");
        Assert.Contains(ErrorsOf(obliged), e => e.Problem == "purpose 'quality' declares 'legalBasis': 'legal-obligation' but 'consentRequired' is true; a purpose that asks for consent has the basis 'consent'"
            && e.Line == LineOf(obliged, "\"legalBasis\": \"legal-obligation\""));
    }

    [Fact]
    public void An_unknown_basis_lists_the_known_ones()
    {
        string json = DefaultPolicy.Edit("\"legalBasis\": \"legal-obligation\"", "\"legalBasis\": \"legitimate-interest\"");
        ExpectSingle(json, "\"legitimate-interest\"", "'legalBasis' of purpose 'quality' must be 'consent', 'anonymized', 'legal-obligation', not 'legitimate-interest'");
    }

    [Fact]
    public void Only_a_legal_obligation_keeps_a_recall_escrow_on_a_topic_of_its_own()
    {
        string onMarketing = DefaultPolicy.Edit("\"outputSchema\": \"MarketingRecord\",", "\"outputSchema\": \"MarketingRecord\",\n      \"recallEscrow\": \"marketing.escrow.v1\",");
        ExpectSingle(onMarketing, "\"recallEscrow\": \"marketing.escrow.v1\"",
            "purpose 'marketing' cannot keep a 'recallEscrow': only a 'legal-obligation' purpose with 'stable' pseudonyms and a 'telematics' section escrows VINs");

        string shared = DefaultPolicy.Edit("\"recallEscrow\": \"quality.escrow.v1\"", "\"recallEscrow\": \"positioning.v1\"");
        ExpectSingle(shared, "\"positioning.v1\",\n      \"telematics\"",
            "purpose 'quality' uses topic 'positioning.v1', which purpose 'positioning' already uses; each purpose needs its own topic");
    }

    [Fact]
    public void A_legal_reference_belongs_to_a_legal_obligation()
    {
        string json = DefaultPolicy.Edit("\"outputSchema\": \"MarketingRecord\",", "\"outputSchema\": \"MarketingRecord\",\n      \"legalReference\": \"a law\",");
        ExpectSingle(json, "\"legalReference\": \"a law\"", "'legalReference' belongs to a 'legal-obligation' basis; purpose 'marketing' declares 'consent'");
    }
}
