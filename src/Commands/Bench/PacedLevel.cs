namespace Sieve.Commands.Bench;

/// <summary>One rate of the paced run: inputs per second, how many, and which share of the measured rate it is.</summary>
/// <param name="Rate">Inputs offered per second.</param>
/// <param name="Events">Inputs sent at that rate.</param>
/// <param name="Percent">Share of the measured minimizer rate in percent; null when the rate was given.</param>
public sealed record PacedLevel(int Rate, int Events, int? Percent);
