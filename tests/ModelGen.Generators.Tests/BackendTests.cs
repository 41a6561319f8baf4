namespace ModelGen.Generators.Tests;

/// <summary>[LayerBackend]: the generated ILayerBackend skeleton with one optional hook per layer kind.</summary>
public sealed class BackendTests
{
    [Fact]
    public void ABackendSkeletonCompilesWithOnlyTheHooksItFillsIn()
    {
        var (run, output) = GeneratorHarness.Run("""
            using ModelGen;
            namespace Demo;
            public static partial class Outer
            {
                [LayerBackend]
                public sealed partial class Offload
                {
                    public int Convolutions;
                    partial void OnConv2d(GraphLayer layer, in LayerSpans spans, ref bool handled) => Convolutions++;
                }
            }
            """);

        var generated = Assert.Single(Assert.Single(run.Results).GeneratedSources);
        Assert.Equal("Demo.Outer.Offload.Backend.g.cs", generated.HintName);
        var text = generated.SourceText.ToString();
        foreach (var kind in new[] { "Dense", "Conv2d", "BatchNorm2d", "Pool", "LayerNorm", "Activate", "Add" })
        {
            Assert.Contains($"void global::ModelGen.ILayerBackend.{kind}(", text);
            Assert.Contains($"partial void On{kind}(", text);
        }

        var diagnostics = output.GetDiagnostics(TestContext.Current.CancellationToken)
            .Where(d => d.Severity >= Microsoft.CodeAnalysis.DiagnosticSeverity.Warning && d.Id != "CS1591").ToList();
        Assert.True(diagnostics.Count == 0, string.Join("\n", diagnostics));
    }

    [Theory]
    [InlineData("[LayerBackend] public sealed class NotPartial { }")]
    [InlineData("[LayerBackend] public static partial class Static { }")]
    [InlineData("[LayerBackend] public partial class Generic<T> { }")]
    public void ClassesThatCannotTakeTheSkeletonGetNothing(string declaration)
    {
        var (run, _) = GeneratorHarness.Run($"using ModelGen;\n{declaration}");

        Assert.Empty(Assert.Single(run.Results).GeneratedSources);
    }
}
