using Microsoft.CodeAnalysis;

namespace ModelGen.Generators.Tests;

/// <summary>The generated file of each representative model: its exact text, and that it compiles cleanly.</summary>
public sealed class BaselineTests
{
    [Theory]
    [InlineData(nameof(TestModels.Float32TwoLayer))]
    [InlineData(nameof(TestModels.MixedPrecisionSoftmax))]
    [InlineData(nameof(TestModels.NestedWithBudget))]
    [InlineData(nameof(TestModels.SingleLayerGlobal))]
    [InlineData(nameof(TestModels.FashionMlp))]
    [InlineData(nameof(TestModels.InvalidModelStubs))]
    [InlineData(nameof(TestModels.QuantizedAndPruned))]
    [InlineData(nameof(TestModels.HalfActivations))]
    [InlineData(nameof(GraphTestModels.FashionCnn))]
    [InlineData(nameof(GraphTestModels.ResMlp))]
    [InlineData(nameof(GraphTestModels.Int8Cnn))]
    [InlineData(nameof(GraphTestModels.StaticInt8Cnn))]
    public void GeneratedFileMatchesBaseline(string model)
    {
        var (run, _) = GeneratorHarness.Run(TestModels.Source(model));

        var generated = Assert.Single(Assert.Single(run.Results).GeneratedSources);
        Baseline.AssertMatches(model, generated.HintName, generated.SourceText.ToString());
    }

    [Theory]
    [InlineData(nameof(TestModels.Float32TwoLayer))]
    [InlineData(nameof(TestModels.MixedPrecisionSoftmax))]
    [InlineData(nameof(TestModels.NestedWithBudget))]
    [InlineData(nameof(TestModels.SingleLayerGlobal))]
    [InlineData(nameof(TestModels.FashionMlp))]
    [InlineData(nameof(TestModels.InvalidModelStubs))]
    [InlineData(nameof(TestModels.QuantizedAndPruned))]
    [InlineData(nameof(TestModels.HalfActivations))]
    [InlineData(nameof(GraphTestModels.FashionCnn))]
    [InlineData(nameof(GraphTestModels.ResMlp))]
    [InlineData(nameof(GraphTestModels.Int8Cnn))]
    [InlineData(nameof(GraphTestModels.StaticInt8Cnn))]
    public void GeneratedCodeCompilesWithoutDiagnostics(string model)
    {
        var (run, output) = GeneratorHarness.Run(TestModels.Source(model));
        var generatedTree = Assert.Single(run.GeneratedTrees);

        // The test sources themselves carry no doc comments; everything else, generated code included, must be silent.
        var diagnostics = output.GetDiagnostics(TestContext.Current.CancellationToken)
            .Where(d => d.Severity != DiagnosticSeverity.Hidden)
            .Where(d => d.Id != "CS1591" || d.Location.SourceTree == generatedTree)
            .ToList();
        Assert.True(diagnostics.Count == 0, string.Join("\n", diagnostics));

        using var assembly = new MemoryStream();
        Assert.True(output.Emit(assembly, cancellationToken: TestContext.Current.CancellationToken).Success);
    }
}
