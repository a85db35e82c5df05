using System.Reflection;
using Sieve.Commands;
using Sieve.Testing.Cli;
using Spectre.Console.Cli;

namespace Sieve.Tests.Cli;

public sealed class CommandLineTests
{
    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("help")]
    public async Task Help_lists_every_command(string flag)
    {
        CliResult result = await CliRunner.RunAsync(flag);

        Assert.Equal(0, result.ExitCode);
        foreach (string command in new[] { "demo", "policy check", "policy explain", "consent grant", "consent withdraw", "consent show", "consent expiring", "keys generate", "keys rotate", "topics provision" })
        {
            Assert.Contains(command, result.Out, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("policy", "check")]
    [InlineData("policy", "explain")]
    [InlineData("consent", "grant")]
    [InlineData("consent", "withdraw")]
    [InlineData("consent", "show")]
    [InlineData("consent", "expiring")]
    [InlineData("keys", "generate")]
    [InlineData("keys", "rotate")]
    [InlineData("topics", "provision")]
    public async Task Each_command_prints_its_usage(string group, string command)
    {
        CliResult result = await CliRunner.RunAsync(group, command, "--help");
        CliResult viaHelp = await CliRunner.RunAsync("help", group, command);

        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith($"Usage: sieve {group} {command}", result.Out, StringComparison.Ordinal);
        Assert.Equal(result.Out, viaHelp.Out);
        Assert.Equal("", result.Error);
    }

    [Fact]
    public async Task Help_wins_over_other_arguments()
    {
        CliResult result = await CliRunner.RunAsync("consent", "grant", "--type", "nonsense", "--help");

        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith("Usage: sieve consent grant", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_arguments_prints_usage_with_exit_code_2()
    {
        CliResult result = await CliRunner.RunAsync();

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Usage: sieve COMMAND", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Group_alone_lists_its_commands()
    {
        CliResult result = await CliRunner.RunAsync("keys", "--help");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("keys generate", result.Out, StringComparison.Ordinal);
        Assert.Contains("keys rotate", result.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("policy check", result.Out, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("frobnicate")]
    [InlineData("policy", "frobnicate")]
    public async Task Unknown_command_is_one_usage_error(params string[] args)
    {
        CliResult result = await CliRunner.RunAsync(args);

        string line = CliRunner.SingleErrorLine(result, 2);
        Assert.Contains("unknown command", line, StringComparison.Ordinal);
        Assert.Contains("--help", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("keys", "generate", "--out")]
    [InlineData("keys", "generate", "--force=yes")]
    [InlineData("keys", "generate", "--force", "--force")]
    [InlineData("keys", "rotate", "--file", "x.json")]
    [InlineData("keys", "generate", "extra")]
    public async Task Malformed_options_are_one_usage_error(params string[] args)
    {
        CliResult result = await CliRunner.RunAsync(args);

        CliRunner.SingleErrorLine(result, 2);
    }

    public static TheoryData<string> EveryCommand() => new(SieveCli.CommandTable.Select(static c => c.Name));

    [Theory]
    [MemberData(nameof(EveryCommand))]
    public async Task Every_command_help_lists_each_of_its_options_with_its_default(string command)
    {
        Type settings = SieveCli.CommandTable.Single(c => c.Name == command).Settings;
        CliResult result = await CliRunner.RunAsync([.. command.Split(' '), "--help"]);

        Assert.Equal(0, result.ExitCode);
        string[] lines = result.Out.ReplaceLineEndings("\n").Split('\n');
        int start = Array.IndexOf(lines, "Options:");
        Assert.True(start >= 0, $"'sieve {command} --help' has no Options: section");
        int end = Array.FindIndex(lines, start, static l => l.StartsWith("Example", StringComparison.Ordinal));
        string[] section = lines[(start + 1)..(end < 0 ? lines.Length : end)];

        object defaults = Activator.CreateInstance(settings)!;
        foreach (PropertyInfo property in settings.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetCustomAttribute<CommandOptionAttribute>() is not { } option)
            {
                continue;
            }

            foreach (string name in option.LongNames)
            {
                string? entry = OptionEntry(section, "--" + name);
                Assert.True(entry is not null, $"'sieve {command} --help' does not list --{name}");
                if (HasDefault(defaults, property))
                {
                    Assert.True(entry.Contains("default", StringComparison.Ordinal), $"'sieve {command} --help' does not state the default of --{name}: {entry}");
                }
            }
        }
    }

    /// <summary>The help lines describing <paramref name="option"/>: its line and the more indented lines after it.</summary>
    private static string? OptionEntry(string[] section, string option)
    {
        int at = Array.FindIndex(section, l => l.TrimStart() == option || l.TrimStart().StartsWith(option + " ", StringComparison.Ordinal));
        if (at < 0)
        {
            return null;
        }

        int indent = section[at].Length - section[at].TrimStart().Length;
        var entry = new List<string> { section[at] };
        for (int i = at + 1; i < section.Length; i++)
        {
            string line = section[i];
            string trimmed = line.TrimStart();
            if (trimmed.Length == 0 || trimmed.StartsWith('-') || line.Length - trimmed.Length <= indent)
            {
                break;
            }

            entry.Add(line);
        }

        return string.Join('\n', entry);
    }

    /// <summary>
    /// True when the option behind <paramref name="property"/> has a default: the property starts with a value (not
    /// null, false or empty), or, for an option read as text into a property named alike without "Text"
    /// (<c>SecondsText</c> into <c>Seconds</c>), that property does.
    /// </summary>
    private static bool HasDefault(object settings, PropertyInfo property)
    {
        if (IsValue(property.GetValue(settings)))
        {
            return true;
        }

        return property.Name.EndsWith("Text", StringComparison.Ordinal)
            && settings.GetType().GetProperty(property.Name[..^"Text".Length], BindingFlags.Public | BindingFlags.Instance) is { } checkedInto
            && IsValue(checkedInto.GetValue(settings));

        static bool IsValue(object? value) => value switch
        {
            null or false => false,
            string text => text.Length > 0,
            System.Collections.ICollection collection => collection.Count > 0,
            _ => true,
        };
    }
}
