namespace ModelGen.Analyzers.Tests.MG0003InvalidModelDeclaration;

public sealed class GraphDiagnostics
{
    [Fact]
    public async Task DenseLayerPropertyInAGraphModel()
    {
        var message = await AnalyzerHarness.VerifySingleAsync("""
            using ModelGen;
            [Model(InputShape = new[] { 4 })] public partial class M { [Dense(4, 2)] public partial DenseLayer {|MG0003:Fc|} { get; } }
            """);

        Assert.Equal("Layer property 'Fc' is a DenseLayer, but 'M' is a graph model (InputShape is set): declare it 'public partial GraphLayer Fc { get; }'", message);
    }

    [Fact]
    public async Task GraphAttributeOnADenseChain()
    {
        var message = await AnalyzerHarness.VerifySingleAsync("""
            using ModelGen;
            [Model] public partial class M
            {
                [Dense(4, 4)] public partial DenseLayer A { get; }
                [{|MG0003:Relu|}] public partial GraphLayer B { get; }
            }
            """);

        Assert.Equal("[Relu] on 'B' needs a graph model: set [Model(InputShape = new[] { ... })] on 'M' and declare its layers as GraphLayer properties", message);
    }

    [Fact]
    public async Task GraphModelWithoutLayers()
    {
        var message = await AnalyzerHarness.VerifySingleAsync("""
            using ModelGen;
            [Model(InputShape = new[] { 4 })] public partial class {|MG0003:M|} { }
            """);

        Assert.Equal("Graph model class 'M' declares no layers: add 'public partial GraphLayer Name { get; }' properties with layer attributes such as [Conv2d(1, 16, 3)]", message);
    }
}
