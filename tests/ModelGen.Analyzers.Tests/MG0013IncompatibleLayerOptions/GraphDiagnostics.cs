namespace ModelGen.Analyzers.Tests.MG0013IncompatibleLayerOptions;

public sealed class GraphDiagnostics
{
    [Fact]
    public async Task ConvWithInt4()
    {
        var message = await AnalyzerHarness.VerifySingleAsync("""
            using ModelGen;
            [Model(InputShape = new[] { 1, 8, 8 })] public partial class M { [Conv2d(1, 4, 3, {|MG0013:Precision = Precision.Int4|})] public partial GraphLayer C { get; } }
            """);

        Assert.Equal("Layer 'C' is Conv2d with Int4 weights; graph models store Conv2d weights as Float32, Float16, BFloat16 or Int8", message);
    }

    [Fact]
    public async Task DenseWithPruningInAGraphModel()
    {
        var message = await AnalyzerHarness.VerifySingleAsync("""
            using ModelGen;
            [Model(InputShape = new[] { 64 })] public partial class M { [Dense(64, 8, Precision = Precision.Int8, {|MG0013:KeepOutputs = 4|})] public partial GraphLayer Fc { get; } }
            """);

        Assert.Equal("KeepOutputs on layer 'Fc' is not supported in graph models: their Dense layers take Precision Float32, Float16, BFloat16 or Int8 with no quantization or pruning option but InputQuantization", message);
    }

    [Fact]
    public async Task StaticInputOnAFloatConv()
    {
        var message = await AnalyzerHarness.VerifySingleAsync("""
            using ModelGen;
            [Model(InputShape = new[] { 1, 8, 8 })] public partial class M { [Conv2d(1, 4, 3, {|MG0013:InputQuantization = InputQuantization.Static|})] public partial GraphLayer C { get; } }
            """);

        Assert.Equal("InputQuantization.Static on layer 'C' needs Precision.Int8 (its input is quantized to int8), not Float32", message);
    }

    [Fact]
    public async Task StaticInputOnABFloat16DenseInAGraphModel()
    {
        var message = await AnalyzerHarness.VerifySingleAsync("""
            using ModelGen;
            [Model(InputShape = new[] { 64 })] public partial class M { [Dense(64, 8, Precision = Precision.BFloat16, {|MG0013:InputQuantization = InputQuantization.Static|})] public partial GraphLayer Fc { get; } }
            """);

        Assert.Equal("InputQuantization.Static on layer 'Fc' needs Precision.Int8 (its input is quantized to int8), not BFloat16", message);
    }
}
