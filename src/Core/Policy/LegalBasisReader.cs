namespace Sieve.Core.Policy;

/// <summary>
/// Reads a purpose's legal basis (<c>legalBasis</c>, <c>legalReference</c>) and its recall escrow
/// (<c>recallEscrow</c>), and checks them against what the purpose forwards: consent needs <c>consentRequired</c>;
/// a purpose without consent is either anonymized (the <c>anonymize</c> rules) or a legal obligation that names the
/// law, keeps a keyed pseudonym and forwards no location.
/// </summary>
internal sealed class LegalBasisReader
{
    /// <summary>Purpose key: the legal basis (<see cref="LegalBasisNames"/>).</summary>
    public const string LegalBasisKey = "legalBasis";

    /// <summary>Purpose key: the law a <c>legal-obligation</c> basis rests on.</summary>
    public const string LegalReferenceKey = "legalReference";

    /// <summary>Purpose key: the topic the Minimizer seals each new subject's VIN to under the recall key.</summary>
    public const string RecallEscrowKey = "recallEscrow";

    private readonly PolicyDiagnostics _diagnostics;

    public LegalBasisReader(PolicyDiagnostics diagnostics) => _diagnostics = diagnostics;

    /// <summary>The purpose's basis, reference and escrow topic; null (reported) when they break a rule.</summary>
    /// <param name="purpose">The purpose's keys.</param>
    /// <param name="consentRequired">Its <c>consentRequired</c>.</param>
    /// <param name="rotation">Its pseudonym rotation.</param>
    /// <param name="slots">Its output slots.</param>
    /// <param name="claimTopic">Claims the escrow topic name (unique across the policy); null when refused (reported).</param>
    public Basis? Read(PolicyShapeReader.Purpose purpose, bool consentRequired, PseudonymRotation rotation, IReadOnlyList<OutputSlot> slots,
        Func<string, long, string?> claimTopic)
    {
        PolicyJsonProperty? basisKey = null, referenceKey = null, escrowKey = null;
        foreach (PolicyJsonProperty property in purpose.Node.Properties)
        {
            switch (property.Name)
            {
                case LegalBasisKey: basisKey = property; break;
                case LegalReferenceKey: referenceKey = property; break;
                case RecallEscrowKey: escrowKey = property; break;
            }
        }

        string name = purpose.Name;
        bool ok = true;
        LegalBasis basis;
        long at = purpose.ConsentRequired?.Value.Offset ?? purpose.Node.Offset;
        if (basisKey is null)
        {
            // Policies written before the key existed: consent, or the anonymize rules when consent is not required.
            basis = consentRequired ? LegalBasis.Consent : LegalBasis.Anonymized;
        }
        else if (basisKey.Value.Kind != PolicyJsonKind.String || !LegalBasisNames.TryParse(basisKey.Value.String, out basis))
        {
            Fail(basisKey.Value.Offset, $"'{LegalBasisKey}' of purpose '{name}' must be {PolicyDiagnostics.Quoted(LegalBasisNames.All)}, not {basisKey.Value.DescribeValue()}");
            return null;
        }
        else
        {
            at = basisKey.Value.Offset;
        }

        if (basis == LegalBasis.Consent && !consentRequired)
        {
            ok = Fail(at, $"purpose '{name}' declares '{LegalBasisKey}': '{LegalBasisNames.Consent}' but '{PolicyShapeReader.ConsentRequiredKey}' is false; set it to true");
        }
        else if (basis != LegalBasis.Consent && consentRequired)
        {
            ok = Fail(at, $"purpose '{name}' declares '{LegalBasisKey}': '{LegalBasisNames.NameOf(basis)}' but '{PolicyShapeReader.ConsentRequiredKey}' is true; a purpose that asks for consent has the basis '{LegalBasisNames.Consent}'");
        }

        string? reference = null;
        if (referenceKey is not null)
        {
            if (referenceKey.Value.Kind != PolicyJsonKind.String || string.IsNullOrWhiteSpace(referenceKey.Value.String))
            {
                ok = Fail(referenceKey.Value.Offset, $"'{LegalReferenceKey}' of purpose '{name}' must be a non-empty string naming the law, not {referenceKey.Value.DescribeValue()}");
            }
            else if (basis != LegalBasis.LegalObligation)
            {
                ok = Fail(referenceKey.NameOffset, $"'{LegalReferenceKey}' belongs to a '{LegalBasisNames.LegalObligation}' basis; purpose '{name}' declares '{LegalBasisNames.NameOf(basis)}'");
            }
            else
            {
                reference = referenceKey.Value.String;
            }
        }

        if (basis == LegalBasis.LegalObligation)
        {
            ok &= CheckLegalObligation(purpose, at, referenceKey is not null, rotation, slots);
        }

        string? escrowTopic = null;
        if (escrowKey is not null)
        {
            if (basis != LegalBasis.LegalObligation || rotation != PseudonymRotation.Stable || purpose.Telematics is null)
            {
                ok = Fail(escrowKey.NameOffset, $"purpose '{name}' cannot keep a '{RecallEscrowKey}': only a '{LegalBasisNames.LegalObligation}' purpose with 'stable' pseudonyms and a '{PolicyInputs.TelematicsSection}' section escrows VINs");
            }
            else if (escrowKey.Value.Kind != PolicyJsonKind.String || string.IsNullOrWhiteSpace(escrowKey.Value.String))
            {
                ok = Fail(escrowKey.Value.Offset, $"'{RecallEscrowKey}' of purpose '{name}' must name the escrow topic (e.g. \"quality.escrow.v1\"), not {escrowKey.Value.DescribeValue()}");
            }
            else if ((escrowTopic = claimTopic(escrowKey.Value.String!, escrowKey.Value.Offset)) is null)
            {
                ok = false;
            }
        }

        return ok ? new Basis(basis, reference, escrowTopic) : null;
    }

    private bool CheckLegalObligation(PolicyShapeReader.Purpose purpose, long at, bool hasReference, PseudonymRotation rotation, IReadOnlyList<OutputSlot> slots)
    {
        string name = purpose.Name;
        bool ok = true;
        if (!hasReference)
        {
            ok = Fail(at, $"purpose '{name}' declares '{LegalBasisNames.LegalObligation}' without '{LegalReferenceKey}'; name the law that obliges it (e.g. \"Regulation on the Administration of Recall of Defective Auto Products\")");
        }

        if (purpose.Anonymize is not null || rotation == PseudonymRotation.Segment)
        {
            ok = Fail(at, $"purpose '{name}' declares '{LegalBasisNames.LegalObligation}' and anonymizes; an anonymized purpose has the basis '{LegalBasisNames.Anonymized}'");
        }

        foreach (OutputSlot slot in slots)
        {
            if (IsLocation(slot.Kind))
            {
                ok = Fail(at, $"purpose '{name}' forwards location ('{slot.FieldName}') without consent; a '{LegalBasisNames.LegalObligation}' purpose forwards no location, so drop the field from its output schema or make the purpose '{LegalBasisNames.Consent}'");
            }
        }

        return ok;
    }

    /// <summary>Output fields that place the subject: coordinates, motion, a geohash, or the outlet visited.</summary>
    private static bool IsLocation(SlotKind kind) => kind is SlotKind.Latitude or SlotKind.Longitude or SlotKind.SpeedKph or SlotKind.HeadingDeg
        or SlotKind.AltitudeM or SlotKind.Geohash or SlotKind.OutletId or SlotKind.CellVehicles;

    private bool Fail(long offset, string problem)
    {
        _diagnostics.Add(offset, problem);
        return false;
    }

    /// <summary>A purpose's legal basis, the law it names (legal obligation only), and its escrow topic (or null).</summary>
    public sealed record Basis(LegalBasis LegalBasis, string? LegalReference, string? EscrowTopic);
}
