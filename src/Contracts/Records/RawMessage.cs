namespace Sieve.Contracts.Records;

/// <summary>One raw-zone message ready to produce: topic, key (the subject's identifier) and wire-format value.</summary>
/// <param name="Topic">A raw topic, e.g. <c>telematics.raw.v1</c>.</param>
/// <param name="Key">The subject's identifier in UTF-8, so each subject stays in one partition, in order.</param>
/// <param name="Value">The single-object encoded record.</param>
public readonly record struct RawMessage(string Topic, byte[] Key, byte[] Value);
