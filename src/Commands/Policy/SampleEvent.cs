using Sieve.Contracts.Records;
using Sieve.Core.Policy;

namespace Sieve.Commands.Policy;

/// <summary>A raw event read from a sample JSON file, and its wire-format message.</summary>
/// <param name="Kind">Telematics or Wi-Fi.</param>
/// <param name="Data">The managed record.</param>
/// <param name="EventId">The event's id (not an identifier of a person).</param>
/// <param name="EventTime">Unix milliseconds.</param>
internal sealed record SampleEvent(InputKind Kind, RawRecordData Data, string EventId, long EventTime)
{
    /// <summary>The single-object encoded message, as the raw topic would carry it.</summary>
    public byte[] ToMessage() => Data.ToMessage();
}
