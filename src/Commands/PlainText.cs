using Spectre.Console;

namespace Sieve.Commands;

/// <summary>
/// Line-oriented output that must not be wrapped at the console width (error lists, JSON, help), written straight
/// to the console's writer. Spectre renderables (tables, rules) wrap to fit the terminal; these lines are meant
/// for editors, scripts and <c>grep</c>.
/// </summary>
internal static class PlainText
{
    /// <summary>Writes <paramref name="line"/> and a newline, unstyled and unwrapped.</summary>
    public static void WriteLine(IAnsiConsole console, string line)
    {
        TextWriter writer = console.Profile.Out.Writer;
        writer.Write(line);
        writer.Write('\n');
        writer.Flush();
    }
}
