using System.Collections.Immutable;
using Basic.Reference.Assemblies;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using ModelGen.Testing;

namespace ModelGen.Analyzers.Tests;

/// <summary>
/// The analyzer survives every malformed source, and agrees with the generator: a model gets its generated members or
/// an MG diagnostic, never both, and never neither unless the compiler itself reports an error.
/// </summary>
public sealed class AnalyzerRobustnessTests
{
    [Theory]
    [MemberData(nameof(MalformedModels.Names), MemberType = typeof(MalformedModels))]
    public async Task GeneratorAndAnalyzerAgree(string name)
    {
        var (all, compilation) = await AnalyzerHarness.AnalyzeAsync(MalformedModels.Source(name));
        var diagnostics = all.Where(d => d.Severity > DiagnosticSeverity.Info).ToImmutableArray();

        var generated = compilation.SyntaxTrees.Any(tree => tree.FilePath.EndsWith(".g.cs", StringComparison.Ordinal)
            && tree.ToString().Contains("global::ModelGen.IModel<", StringComparison.Ordinal));
        Assert.All(diagnostics, d => Assert.StartsWith("MG", d.Id, StringComparison.Ordinal));
        Assert.False(generated && diagnostics.Length > 0, $"Generated code for a model with problems: {string.Join("; ", diagnostics)}");
        if (!generated && diagnostics.IsEmpty)
        {
            var userTree = compilation.SyntaxTrees.First();
            Assert.Contains(compilation.GetDiagnostics(TestContext.Current.CancellationToken),
                d => d.Severity == DiagnosticSeverity.Error && d.Location.SourceTree == userTree);
        }
    }

    [Fact]
    public async Task WithoutTheRuntimeTheAnalyzerStaysSilent()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var compilation = CSharpCompilation.Create(
            "NoRuntime",
            [CSharpSyntaxTree.ParseText(MalformedModels.Source("EmptyClass"), cancellationToken: cancellationToken)],
            Net100.References.All,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));

        var diagnostics = await compilation
            .WithAnalyzers(AnalyzerHarness.All)
            .GetAnalyzerDiagnosticsAsync(cancellationToken);

        Assert.Empty(diagnostics);
    }
}
