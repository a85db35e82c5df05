using Sieve.Contracts.Identifiers;
using Sieve.Core.Erasure;

namespace Sieve.Tests.Erasure;

public sealed class ErasureRequestIdTests
{
    private const string Vin = "LSVAU218XN2183294";

    [Theory]
    [InlineData("r-1")]
    [InlineData("req-42")]
    [InlineData("er-0f8c2b5d9e4a4c1b8a7f6e5d4c3b2a19")]
    [InlineData("3f2504e0-4f89-11d3-9a0c-0305e82c3301")]
    [InlineData("TICKET_2026.11.25-0042")]
    public void Short_tokens_are_request_ids(string id) => Assert.Null(ErasureRequestId.Problem(id, SubjectType.Vin, Vin));

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("ticket:42")]
    [InlineData("a/b")]
    [InlineData("名字")]
    [InlineData("minor-0-17")]
    [InlineData("0123456789012345678901234567890123456789012345678901234567890123456789")]
    public void Anything_else_is_invalid(string id) => Assert.Equal(ErasureRequestId.InvalidCode, ErasureRequestId.Problem(id, SubjectType.Vin, Vin));

    [Fact]
    public void A_missing_request_id_is_invalid() => Assert.Equal(ErasureRequestId.InvalidCode, ErasureRequestId.Problem(null, SubjectType.Vin, Vin));

    [Theory]
    [InlineData("LSVAU218XN2183294", SubjectType.Phone)] // a VIN, whatever the request is about
    [InlineData("lsvau218xn2183294", SubjectType.Mac)]
    [InlineData("13917620458", SubjectType.Vin)] // a phone number
    [InlineData("f0-18-98-aa-bb-01", SubjectType.Vin)] // a MAC address
    [InlineData("356172094833123", SubjectType.Vin)] // an IMEI
    [InlineData("my-app-install-7f3a", SubjectType.DeviceId)] // the request's own (opaque) device id
    [InlineData("MY-APP-INSTALL-7F3A", SubjectType.DeviceId)]
    public void Identifiers_are_not_request_ids(string id, SubjectType type)
    {
        string subject = type == SubjectType.DeviceId ? "my-app-install-7f3a" : type == SubjectType.Vin ? Vin : type == SubjectType.Phone ? "+86 139 1762 0458" : "F0:18:98:AA:BB:01";
        Assert.Equal(ErasureRequestId.IdentifierCode, ErasureRequestId.Problem(id, type, subject));
    }

    [Fact]
    public void Another_subjects_opaque_device_id_shape_is_allowed() =>
        Assert.Null(ErasureRequestId.Problem("my-app-install-7f3a", SubjectType.DeviceId, "other-install-01"));

    [Fact]
    public void The_codec_rejects_a_request_with_a_bad_request_id_with_the_reason_code()
    {
        byte[] message = ErasureCodec.EncodeRequest(new ErasureRequest(SubjectType.Vin, Vin, Vin, ErasureReason.UserRequest, DateTimeOffset.UnixEpoch));
        Assert.False(ErasureCodec.TryDecodeRequest(message, out _, out string? reason));
        Assert.Equal(ErasureRequestId.IdentifierCode, reason);

        message = ErasureCodec.EncodeRequest(new ErasureRequest(SubjectType.Vin, Vin, "free text with spaces", ErasureReason.UserRequest, DateTimeOffset.UnixEpoch));
        Assert.False(ErasureCodec.TryDecodeRequest(message, out _, out reason));
        Assert.Equal(ErasureRequestId.InvalidCode, reason);

        message = ErasureCodec.EncodeRequest(new ErasureRequest(SubjectType.Vin, Vin, "req-42", ErasureReason.UserRequest, DateTimeOffset.UnixEpoch));
        Assert.True(ErasureCodec.TryDecodeRequest(message, out ErasureRequest? request, out _));
        Assert.Equal("req-42", request.RequestId);
    }

    [Fact]
    public void Notice_ids_are_random_per_notice_and_round_trip()
    {
        var ids = Enumerable.Range(0, 100).Select(_ => ErasureNoticeId.New()).ToHashSet(StringComparer.Ordinal);
        Assert.Equal(100, ids.Count);
        Assert.All(ids, id => Assert.True(ErasureNoticeId.IsWellFormed(id), id));

        var notice = new ErasureNotice("analytics", "abcdefghijklmnopqrstuvwxyz234567", ["demo-1/analytics/2026-11-25"], ids.First());
        Assert.True(ErasureCodec.TryDecodeNotice(ErasureCodec.EncodeNotice(notice), out ErasureNotice? decoded, out _));
        Assert.Equal(notice.NoticeId, decoded.NoticeId);
        Assert.Equal(notice.KeyIds, decoded.KeyIds);
    }
}
