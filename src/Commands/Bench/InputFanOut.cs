namespace Sieve.Commands.Bench;

/// <summary>
/// What the minimizer writes for each input of a pass-through's input topics, by position: one bit per purpose it
/// forwards to or holds (plan order), or <see cref="FanOut.QuarantineBit"/>.
/// </summary>
public interface IInputFanOut
{
    /// <summary>Number of purposes; copy topic <see cref="PlanCount"/> is the quarantine copy.</summary>
    int PlanCount { get; }

    /// <summary>The mask of the input at <paramref name="offset"/> of <paramref name="partition"/> of input topic <paramref name="input"/> (0 telematics, 1 Wi-Fi).</summary>
    byte Mask(int input, int partition, long offset);
}
