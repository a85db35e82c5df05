using System.Xml.Linq;
using Sieve.Testing;

namespace Sieve.Tests.Cli;

/// <summary><c>sieve</c> packs as a .NET tool whose command is <c>sieve</c>, and the README shows how to install it.</summary>
public sealed class ToolPackageTests
{
    [Fact]
    public void Cli_project_packs_as_the_sieve_tool_and_the_readme_installs_that_package()
    {
        XDocument project = XDocument.Load(Path.Combine(RepoPaths.Root, "src", "Cli", "Sieve.Cli.csproj"));
        string? Property(string name) => project.Descendants(name).SingleOrDefault()?.Value;

        Assert.Equal("true", Property("PackAsTool"));
        Assert.Equal("sieve", Property("ToolCommandName"));
        Assert.Equal("Sieve.Cli", Property("PackageId"));
        Assert.Equal("Exe", Property("OutputType"));

        string readme = File.ReadAllText(Path.Combine(RepoPaths.Root, "README.md"));
        Assert.Contains("dotnet pack src/Cli -o .tools && dotnet tool install --global --add-source .tools Sieve.Cli", readme, StringComparison.Ordinal);
    }
}
