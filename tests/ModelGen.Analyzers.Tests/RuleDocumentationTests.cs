using Microsoft.CodeAnalysis;

namespace ModelGen.Analyzers.Tests;

/// <summary>Every rule has a documentation page, a help link to it and a release-tracking entry that agree with it.</summary>
public sealed class RuleDocumentationTests
{
    public static TheoryData<string> RuleIds => new(AnalyzerHarness.All.SelectMany(a => a.SupportedDiagnostics).Select(d => d.Id));

    [Theory]
    [MemberData(nameof(RuleIds))]
    public void RuleHasADocumentationPageMatchingItsDescriptor(string id)
    {
        var descriptor = Descriptor(id);
        var page = Path.Combine(AppContext.BaseDirectory, "docs", "rules", id + ".md");

        Assert.True(File.Exists(page), $"docs/rules/{id}.md is missing.");
        var firstLine = File.ReadLines(page).First();
        Assert.Equal($"# {id}: {descriptor.Title}", firstLine);
        Assert.Equal($"https://github.com/modelgen/modelgen/blob/main/docs/rules/{id}.md", descriptor.HelpLinkUri);
        Assert.Contains($"dotnet_diagnostic.{id}.severity", File.ReadAllText(page));
    }

    [Theory]
    [MemberData(nameof(RuleIds))]
    public void RuleHasAReleaseEntryMatchingItsDescriptor(string id)
    {
        var descriptor = Descriptor(id);
        var releases = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "analyzers", "AnalyzerReleases.Unshipped.md"));

        var entry = Assert.Single(releases, line => line.StartsWith(id + " ", StringComparison.Ordinal));
        var columns = entry.Split('|').Select(column => column.Trim()).ToArray();
        Assert.Equal(descriptor.Category, columns[1]);
        Assert.Equal(descriptor.DefaultSeverity.ToString(), columns[2]);
    }

    [Fact]
    public void DescriptorsAreEnabledWithTheirIntendedSeverity()
    {
        // Informational rules report facts about valid models; every other rule reports a model that cannot work.
        string[] informational = ["MG0009", "MG0011", "MG0012"];
        string[] warnings = ["MG0006", "MG0007", "MG0008", "MG0010"];
        Assert.All(AnalyzerHarness.All.SelectMany(a => a.SupportedDiagnostics), d =>
        {
            Assert.Equal(informational.Contains(d.Id) ? DiagnosticSeverity.Info : warnings.Contains(d.Id) ? DiagnosticSeverity.Warning : DiagnosticSeverity.Error, d.DefaultSeverity);
            Assert.True(d.IsEnabledByDefault);
        });
    }

    private static DiagnosticDescriptor Descriptor(string id) =>
        AnalyzerHarness.All.SelectMany(a => a.SupportedDiagnostics).Single(d => d.Id == id);
}
