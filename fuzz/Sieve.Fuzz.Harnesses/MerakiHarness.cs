using System.Text;
using Sieve.Core.Gateways.Http;
using Sieve.Core.Gateways.Meraki;

namespace Sieve.Fuzz.Harnesses;

/// <summary>
/// A Meraki Scanning API v3 post, read as the receiver reads it: <see cref="MerakiEnvelope.TryRead"/> over the whole
/// body, then (when well-formed) <see cref="MerakiPayloadReader.TryRead"/>. Neither throws; a refusal is a
/// documented code with a documented field path or JSON position and no value from the body; a well-formed body
/// followed by anything but whitespace is invalid JSON.
/// </summary>
public static class MerakiHarness
{
    /// <summary>Name in the registry and the corpus folder.</summary>
    public const string Name = "meraki";

    /// <summary>The receiver's clock: 2026-12-01T00:00:00Z.</summary>
    public const long NowMillis = 1_796_083_200_000;

    private const int MaxObservations = 100;

    /// <summary>Checks both readers on <paramref name="input"/>.</summary>
    public static void Run(ReadOnlySpan<byte> input)
    {
        if (input.Length > Contract.MaxInputBytes)
        {
            return;
        }

        byte[] body = input.ToArray();
        Contract.NoUndocumentedException(Name, "MerakiEnvelope/MerakiPayloadReader", () => Check(body));
    }

    private static void Check(byte[] body)
    {
        if (!MerakiEnvelope.TryRead(body, out MerakiEnvelope envelope, out GatewayError error))
        {
            GatewayErrors.Check(Name, error, body, GatewayErrors.MerakiPath());
            Contract.Require(Name, envelope.Secret is null || error.Code != GatewayErrorCodes.DuplicateField, "a duplicate field left a secret behind");
            return;
        }

        Contract.Require(Name, envelope.Secret is null || envelope.Secret.Length <= MerakiEnvelope.MaxSecretBytes, "secret longer than the cap");
        Contract.Require(Name, envelope.MajorVersion is >= -1 and < 1000, $"major version {envelope.MajorVersion}");
        Contract.Require(Name, !MerakiEnvelope.TryRead([.. body, .. "x"u8], out _, out GatewayError trailing) && trailing.Code == GatewayErrorCodes.InvalidJson,
            "a body followed by 'x' was not invalid-json");

        var reader = new MerakiPayloadReader(NowMillis, MaxObservations);
        if (!reader.TryRead(body, out MerakiPayload? payload, out error))
        {
            Contract.Require(Name, payload is null, "refused with a payload");
            Contract.Require(Name, error.Code != GatewayErrorCodes.InvalidJson, "the payload reader found invalid JSON the envelope accepted");
            GatewayErrors.Check(Name, error, body, GatewayErrors.MerakiPath());
            return;
        }

        Contract.Require(Name, payload is not null && payload.NetworkId.Length > 0 && payload.Observations.Count <= MaxObservations, "accepted without a usable payload");
        foreach (MerakiObservation observation in payload.Observations)
        {
            Contract.Require(Name, observation.EventTime is not null, "an accepted observation has no time");
            Contract.Require(Name, Encoding.UTF8.GetByteCount(observation.ClientMac) <= 1024, "an accepted client MAC is longer than the cap");
            Contract.Require(Name, !observation.HasCoordinates || (Math.Abs(observation.Latitude) <= 90 && Math.Abs(observation.Longitude) <= 180),
                "accepted coordinates out of range");
            Contract.Require(Name, observation.Rssi is null or >= -MerakiPayloadReader.MaxRssiMagnitude and <= MerakiPayloadReader.MaxRssiMagnitude,
                "accepted RSSI out of range");
        }
    }
}
