using System.Reflection;
using System.Text.RegularExpressions;
using Sieve.Core.Gateways.Http;

namespace Sieve.Fuzz.Harnesses;

/// <summary>
/// The shape of a <see cref="GatewayError"/>, which never carries a value from the request: its code is one of the
/// documented reason codes, its field one of the documented paths, its position inside the body.
/// </summary>
internal static partial class GatewayErrors
{
    /// <summary>Codes besides <see cref="GatewayErrorCodes"/> that the readers answer with.</summary>
    private static readonly string[] ReaderCodes = ["invalid-mac-too-long", "invalid-phone-too-long", "invalid-device-id-too-long"];

    private static readonly HashSet<string> Codes = typeof(GatewayErrorCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.IsLiteral && f.FieldType == typeof(string))
        .Select(f => (string)f.GetRawConstantValue()!)
        .Concat(ReaderCodes)
        .ToHashSet(StringComparer.Ordinal);

    /// <summary>Checks <paramref name="error"/> of a refused <paramref name="input"/> against <paramref name="fieldPath"/>.</summary>
    public static void Check(string harness, GatewayError error, ReadOnlySpan<byte> input, Regex fieldPath)
    {
        Contract.Require(harness, error.Status == 400, $"refused with status {error.Status}, readers only answer 400");
        Contract.Require(harness, error.Code is not null && Codes.Contains(error.Code), $"undocumented reason code ({error.Code?.Length ?? 0} characters)");
        if (error.Code == GatewayErrorCodes.InvalidJson)
        {
            Contract.Require(harness, error.Field is null && error.Line >= 0 && error.BytePosition >= 0, "invalid-json without its position, or with a field");
        }
        else if (error.Code == GatewayErrorCodes.UnknownField || (error.Code == GatewayErrorCodes.InvalidText && error.Field is null))
        {
            Contract.Require(harness, error.Field is null && error.BytePosition >= 0 && error.BytePosition < input.Length, $"{error.Code} without its offset, or with a field");
        }
        else
        {
            Contract.Require(harness, error.Field is not null && fieldPath.IsMatch(error.Field), "the error's field is not a documented path");
        }

        Contract.NoIdentifierIn(harness, error.Code + " " + error.Field, input);
    }

    /// <summary>Paths the Meraki envelope and payload readers name.</summary>
    [GeneratedRegex(@"^(\$|secret|version|type|data|data\.networkId|data\.observations|data\.observations\[\d+\](\.clientMac|\.latestRecord(\.time|\.nearestApRssi)?|\.locations(\[\d+\](\.time|\.lat|\.lng|\.rssiRecords(\[\d+\]\.rssi)?)?)?)?)$")]
    public static partial Regex MerakiPath();

    /// <summary>Paths the portal reader names.</summary>
    [GeneratedRegex(@"^(\$|gatewayId|outletId|clientMac|phoneNumber|deviceId|time|start|end|rssi|visitedDomains(\[\d+\])?)$")]
    public static partial Regex PortalPath();
}
