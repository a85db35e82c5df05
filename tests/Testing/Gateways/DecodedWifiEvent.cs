using System.Text;
using Confluent.Kafka;
using Sieve.Contracts.Avro;
using Sieve.Contracts.Records;

namespace Sieve.Testing.Gateways;

/// <summary>A <c>wifi.raw.v1</c> message read back and decoded with <see cref="WifiEventCodec"/>, as managed values.</summary>
internal sealed record DecodedWifiEvent(
    string Key,
    string EventId,
    string GatewayId,
    string OutletId,
    long EventTime,
    string ClientMac,
    string? PhoneNumber,
    string? DeviceId,
    (double Latitude, double Longitude)? Location,
    int? Rssi,
    IReadOnlyList<string> VisitedDomains,
    int? DwellSeconds)
{
    public static DecodedWifiEvent From(ConsumeResult<byte[], byte[]> result)
    {
        byte[] value = result.Message.Value;
        Assert.Equal(AvroStatus.Ok, WifiEventCodec.TryReadMessage(value, out WifiEvent e));
        var domains = new List<string>();
        foreach (ReadOnlySpan<byte> domain in e.VisitedDomains.Enumerate(value))
        {
            domains.Add(Encoding.UTF8.GetString(domain));
        }

        return new DecodedWifiEvent(
            Encoding.UTF8.GetString(result.Message.Key),
            e.EventId.ToString(value)!,
            e.GatewayId.ToString(value)!,
            e.OutletId.ToString(value)!,
            e.EventTime,
            e.ClientMac.ToString(value)!,
            e.PhoneNumber.ToString(value),
            e.DeviceId.ToString(value),
            e.HasLocation ? (e.Location.Latitude, e.Location.Longitude) : null,
            e.Rssi,
            domains,
            e.DwellSeconds);
    }
}
