using System.Diagnostics.CodeAnalysis;
using Sieve.Core.Configuration;

namespace Sieve.Core;

/// <summary>Throws of the configuration readers.</summary>
internal static partial class ThrowHelper
{
    [DoesNotReturn]
    public static void ThrowSettings(string message) => throw new SettingsException(message);
}
