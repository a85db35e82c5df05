namespace Sieve.Core.Pipeline;

/// <summary>
/// Why an input was quarantined: a stable machine code and a human detail. Both are built only from schema
/// names, field paths, codes and byte positions; never from the input's values.
/// </summary>
/// <param name="Code">e.g. <c>avro-truncated</c>, <c>unknown-fingerprint</c>, <c>invalid-vin-checksum</c>.</param>
/// <param name="Detail">e.g. <c>TelematicsEvent: value ended inside a field</c>.</param>
public readonly record struct QuarantineReason(string Code, string Detail);
