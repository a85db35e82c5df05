using System.Xml.Linq;
using Sieve.Testing;

namespace Sieve.Tests.Architecture;

/// <summary>The project graph's rules, read from the project files themselves.</summary>
public sealed class ProjectGraphTests
{
    private static readonly string[] ProjectFiles = Directory.GetFiles(RepoPaths.Root, "*.csproj", SearchOption.AllDirectories)
        .Where(p => !p.Contains(Path.DirectorySeparatorChar + "obj" + Path.DirectorySeparatorChar, StringComparison.Ordinal)
            && !p.Contains(Path.DirectorySeparatorChar + "bin" + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        .ToArray();

    [Fact]
    public void The_solution_has_the_documented_projects()
    {
        string[] names = ProjectFiles.Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal).ToArray()!;

        Assert.Equal(
            [
                "Sieve.Benchmarks", "Sieve.Cli", "Sieve.Commands", "Sieve.Contracts", "Sieve.Core", "Sieve.Embedded", "Sieve.Fuzz", "Sieve.Fuzz.Harnesses", "Sieve.Hosting",
                "Sieve.Ingest", "Sieve.IntegrationTests", "Sieve.Minimizer", "Sieve.Simulation", "Sieve.Sink", "Sieve.Testing", "Sieve.Tests",
            ],
            names);
    }

    [Fact]
    public void No_project_references_an_executable_project_for_its_code()
    {
        var violations = new List<string>();
        foreach (string project in ProjectFiles)
        {
            foreach (XElement reference in Load(project).Descendants("ProjectReference"))
            {
                string target = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(project)!, (string)reference.Attribute("Include")!));
                bool referencesCode = !string.Equals((string?)reference.Attribute("ReferenceOutputAssembly"), "false", StringComparison.OrdinalIgnoreCase);
                if (referencesCode && IsExecutable(target))
                {
                    violations.Add(Path.GetFileName(project) + " -> " + Path.GetFileName(target));
                }
            }
        }

        Assert.Empty(violations);
    }

    [Fact]
    public void Only_the_embedded_project_allows_unsafe_code()
    {
        string[] unsafeProjects = ProjectFiles.Concat([Path.Combine(RepoPaths.Root, "Directory.Build.props")])
            .Where(p => Load(p).Descendants("AllowUnsafeBlocks").Any(e => string.Equals(e.Value.Trim(), "true", StringComparison.OrdinalIgnoreCase)))
            .Select(Path.GetFileName)
            .ToArray()!;

        Assert.Equal(["Sieve.Embedded.csproj"], unsafeProjects);
    }

    [Theory]
    [InlineData("Sieve.Contracts")]
    [InlineData("Sieve.Core")]
    [InlineData("Sieve.Simulation")]
    public void Wire_and_domain_libraries_do_not_reach_up_to_hosting_commands_or_stand_ins(string library)
    {
        string project = ProjectFiles.Single(p => Path.GetFileNameWithoutExtension(p) == library);
        string[] forbidden = ["Sieve.Hosting", "Sieve.Commands", "Sieve.Embedded", "Sieve.Testing"];

        string[] references = Load(project).Descendants("ProjectReference")
            .Select(r => Path.GetFileNameWithoutExtension((string)r.Attribute("Include")!))
            .ToArray();

        Assert.Empty(references.Intersect(forbidden));
    }

    [Fact]
    public void The_benchmarks_never_reference_the_command_line_tool()
    {
        string project = ProjectFiles.Single(p => Path.GetFileNameWithoutExtension(p) == "Sieve.Benchmarks");
        string[] references = Load(project).Descendants("ProjectReference")
            .Select(r => Path.GetFileNameWithoutExtension((string)r.Attribute("Include")!))
            .ToArray();

        Assert.DoesNotContain("Sieve.Cli", references);
        Assert.DoesNotContain("Sieve.Commands", references);
    }

    private static bool IsExecutable(string project)
    {
        XDocument document = Load(project);
        string sdk = (string?)document.Root!.Attribute("Sdk") ?? "";
        string? outputType = document.Descendants("OutputType").Select(e => e.Value.Trim()).LastOrDefault();
        return string.Equals(outputType, "Exe", StringComparison.OrdinalIgnoreCase)
            || (sdk == "Microsoft.NET.Sdk.Web" && !string.Equals(outputType, "Library", StringComparison.OrdinalIgnoreCase));
    }

    private static XDocument Load(string path) => XDocument.Load(path);
}
