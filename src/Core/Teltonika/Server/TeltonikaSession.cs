using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Text;
using Microsoft.AspNetCore.Connections;
using Sieve.Contracts.Records;
using Sieve.Core.Devices;
using Sieve.Core.Publishing;
using Sieve.Core.Teltonika.Mapping;
using Sieve.Core.Teltonika.Protocol;

namespace Sieve.Core.Teltonika.Server;

/// <summary>
/// One unit's connection, as a state machine: handshake (IMEI → 01 or 00), then packets (parse → publish → ack).
/// </summary>
/// <remarks>
/// <para>A packet is acknowledged with its 4-byte record count only after Kafka acknowledged every one of its
/// records. When Kafka cannot take them, no acknowledgement is sent and the connection is closed: the unit keeps
/// the records and resends them when it reconnects, so nothing is lost (a resent record keeps its eventId).</para>
/// <para>Any invalid input closes this connection only, with a reason code in the log and the rejects metric. Reads
/// wait at most the idle timeout; a packet is buffered only once its header announced a size within the limit.</para>
/// </remarks>
internal sealed class TeltonikaSession
{
    private readonly TeltonikaConnectionHandler _endpoint;
    private readonly ConnectionContext _connection;
    private readonly PipeReader _input;
    private readonly PipeWriter _output;
    private readonly byte[] _imei = new byte[ImeiHandshake.ImeiLength];
    private readonly List<RawMessage> _messages = [];
    private long _packets;
    private long _records;

    public TeltonikaSession(TeltonikaConnectionHandler endpoint, ConnectionContext connection)
    {
        _endpoint = endpoint;
        _connection = connection;
        _input = connection.Transport.Input;
        _output = connection.Transport.Output;
    }

    /// <summary>Runs the connection to its end; never throws.</summary>
    public async Task RunAsync()
    {
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(_connection.ConnectionClosed);
        Outcome outcome;
        TelematicsEventMapper? mapper = null;
        using var buffers = new AvlParseBuffers();
        try
        {
            (outcome, mapper) = await HandshakeAsync(idle).ConfigureAwait(false);
            if (mapper is not null)
            {
                outcome = await PacketsAsync(idle, mapper, buffers).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (idle.IsCancellationRequested && !_connection.ConnectionClosed.IsCancellationRequested)
        {
            outcome = Outcome.Reject(TeltonikaCloseReasons.IdleTimeout);
        }
        catch (Exception e) when (e is OperationCanceledException or ConnectionResetException or ConnectionAbortedException or IOException or ObjectDisposedException)
        {
            outcome = Outcome.Normal(TeltonikaCloseReasons.ConnectionLost);
        }
        catch (Exception e)
        {
            // Exception messages are not logged: they can quote input. The type says enough to investigate.
            TeltonikaLog.Failed(_endpoint.Logger, _connection.ConnectionId, e.GetType().Name);
            outcome = Outcome.Reject(TeltonikaCloseReasons.InternalError);
        }
        finally
        {
            mapper?.Dispose();
        }

        if (outcome.IsReject)
        {
            _endpoint.Metrics.Reject(outcome.Reason);
            TeltonikaLog.Rejected(_endpoint.Logger, _connection.ConnectionId, outcome.Reason, _packets, _records);
        }
        else
        {
            TeltonikaLog.Closed(_endpoint.Logger, _connection.ConnectionId, outcome.Reason, _packets, _records);
        }
    }

    private async Task<(Outcome Outcome, TelematicsEventMapper? Mapper)> HandshakeAsync(CancellationTokenSource idle)
    {
        while (true)
        {
            ReadResult result = await ReadAsync(idle).ConfigureAwait(false);
            ReadOnlySequence<byte> buffer = result.Buffer;
            ImeiHandshakeStatus status = ImeiHandshake.TryRead(buffer, _imei, out SequencePosition consumed);
            if (status == ImeiHandshakeStatus.NeedMoreData)
            {
                _input.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted)
                {
                    return (buffer.IsEmpty ? Outcome.Normal(TeltonikaCloseReasons.ClosedByUnit) : Outcome.Reject(TeltonikaCloseReasons.HandshakeIncomplete), null);
                }

                continue;
            }

            if (status != ImeiHandshakeStatus.Done)
            {
                _input.AdvanceTo(buffer.Start, buffer.End);
                await ReplyAsync(ImeiHandshake.Reject).ConfigureAwait(false);
                return (Outcome.Reject(status.ToReasonCode()), null);
            }

            _input.AdvanceTo(consumed);
            break;
        }

        if (!ImeiCheck.IsValid(_imei))
        {
            await ReplyAsync(ImeiHandshake.Reject).ConfigureAwait(false);
            return (Outcome.Reject(TeltonikaCloseReasons.ImeiInvalid), null);
        }

        string imei = Encoding.ASCII.GetString(_imei);
        string? registryVin;
        try
        {
            if (!await _endpoint.Registry.IsAllowedAsync(imei, _connection.ConnectionClosed).ConfigureAwait(false))
            {
                await ReplyAsync(ImeiHandshake.Reject).ConfigureAwait(false);
                return (Outcome.Reject(TeltonikaCloseReasons.ImeiNotAllowed), null);
            }

            registryVin = await _endpoint.Registry.TryGetVinAsync(imei, _connection.ConnectionClosed).ConfigureAwait(false);
        }
        catch (DeviceRegistryUnavailableException)
        {
            // Neither accept nor reject: a rejected unit might stop trying, an accepted one could not be keyed.
            return (Outcome.Reject(TeltonikaCloseReasons.RegistryUnavailable), null);
        }

        var mapper = new TelematicsEventMapper(_endpoint.Options.Topic, imei, registryVin, _endpoint.EventIds.CreateKey());
        try
        {
            await ReplyAsync(ImeiHandshake.Accept).ConfigureAwait(false);
        }
        catch
        {
            mapper.Dispose();
            throw;
        }

        TeltonikaLog.Accepted(_endpoint.Logger, _connection.ConnectionId);
        return (default, mapper);
    }

    private async Task<Outcome> PacketsAsync(CancellationTokenSource idle, TelematicsEventMapper mapper, AvlParseBuffers buffers)
    {
        while (true)
        {
            ReadResult result = await ReadAsync(idle).ConfigureAwait(false);
            ReadOnlySequence<byte> buffer = result.Buffer;
            if (buffer.IsEmpty && result.IsCompleted)
            {
                _input.AdvanceTo(buffer.End);
                return Outcome.Normal(TeltonikaCloseReasons.ClosedByUnit);
            }

            AvlStatus status = ParseAndMap(buffer, mapper, buffers, out SequencePosition consumed, out SequencePosition examined, out PacketSummary packet);
            if (status == AvlStatus.NeedMoreData)
            {
                _input.AdvanceTo(consumed, examined);
                if (result.IsCompleted)
                {
                    return Outcome.Reject(TeltonikaCloseReasons.TruncatedFrame);
                }

                continue;
            }

            if (status != AvlStatus.Done)
            {
                _input.AdvanceTo(buffer.Start, buffer.End);
                return Outcome.Reject(status.ToReasonCode());
            }

            _input.AdvanceTo(consumed);
            long received = Stopwatch.GetTimestamp();
            try
            {
                // Not tied to the connection: once produced, records are persisted (or not) whatever the unit does.
                await _endpoint.Publisher.PublishAsync(_messages, CancellationToken.None).ConfigureAwait(false);
            }
            catch (RawPublishException)
            {
                return Outcome.Reject(TeltonikaCloseReasons.KafkaUnavailable);
            }
            finally
            {
                _messages.Clear();
            }

            await AcknowledgeAsync(packet.Records).ConfigureAwait(false);
            _packets++;
            _records += packet.Records;
            _endpoint.Metrics.PacketAcknowledged(packet.Codec, packet.FrameLength, packet.Records, packet.RecordsWithoutVin, Stopwatch.GetElapsedTime(received).TotalMilliseconds);
        }
    }

    /// <summary>Parses one packet and maps its records into <see cref="_messages"/>; synchronous because the packet view is a ref struct.</summary>
    private AvlStatus ParseAndMap(
        in ReadOnlySequence<byte> buffer, TelematicsEventMapper mapper, AvlParseBuffers buffers,
        out SequencePosition consumed, out SequencePosition examined, out PacketSummary summary)
    {
        summary = default;
        try
        {
            AvlStatus status = AvlPacketParser.TryParse(buffer, _endpoint.Options.MaxFrameBytes, buffers, out AvlPacket packet, out consumed, out examined);
            if (status == AvlStatus.Done)
            {
                int withoutVin = mapper.Map(packet, _messages);
                summary = new PacketSummary(packet.Codec == AvlCodecId.Codec8 ? "codec8" : "codec8e", packet.FrameLength, packet.Records.Length, withoutVin);
            }

            return status;
        }
        finally
        {
            // Idle connections hold no parse buffers; the pool hands them to the next packet.
            buffers.Release();
        }
    }

    private ValueTask<ReadResult> ReadAsync(CancellationTokenSource idle)
    {
        idle.CancelAfter(_endpoint.Options.IdleTimeout);
        return _input.ReadAsync(idle.Token);
    }

    private async ValueTask ReplyAsync(byte reply)
    {
        _output.GetSpan(1)[0] = reply;
        _output.Advance(1);
        await _output.FlushAsync().ConfigureAwait(false);
    }

    private async ValueTask AcknowledgeAsync(int records)
    {
        BinaryPrimitives.WriteInt32BigEndian(_output.GetSpan(4), records);
        _output.Advance(4);
        await _output.FlushAsync().ConfigureAwait(false);
    }

    private readonly record struct PacketSummary(string Codec, int FrameLength, int Records, int RecordsWithoutVin);

    private readonly record struct Outcome(string Reason, bool IsReject)
    {
        public static Outcome Reject(string reason) => new(reason, true);

        public static Outcome Normal(string reason) => new(reason, false);
    }
}
