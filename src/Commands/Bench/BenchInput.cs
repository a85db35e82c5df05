namespace Sieve.Commands.Bench;

/// <summary>One pre-generated raw message and where it goes.</summary>
/// <param name="Input">0 telematics, 1 Wi-Fi (see <see cref="PassThroughTopics.InputIndex"/>).</param>
/// <param name="Partition">The input partition it is produced to.</param>
/// <param name="Key">The raw-zone key, as the raw producers write it.</param>
/// <param name="Value">The single-object encoded event.</param>
public readonly record struct BenchInput(int Input, int Partition, byte[] Key, byte[] Value);
