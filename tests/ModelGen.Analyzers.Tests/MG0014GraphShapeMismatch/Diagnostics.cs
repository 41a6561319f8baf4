namespace ModelGen.Analyzers.Tests.MG0014GraphShapeMismatch;

public sealed class Diagnostics
{
    [Fact]
    public async Task ConvChannelsReportedAtTheAttribute()
    {
        var message = await AnalyzerHarness.VerifySingleAsync("""
            using ModelGen;
            [Model(InputShape = new[] { 1, 28, 28 })] public partial class M
            {
                [Conv2d(1, 32, 3, Padding = 1)] public partial GraphLayer Conv1 { get; }
                [MaxPool2d(2)] public partial GraphLayer Pool1 { get; }
                [{|MG0014:Conv2d(16, 64, 3)|}] public partial GraphLayer Conv2 { get; }
            }
            """);

        Assert.Equal("Layer 'Conv2' expects 16 input channels but 'Pool1' produces [32, 14, 14]", message);
    }

    [Fact]
    public async Task DenseAfterConvolutionsNeedsFlatten()
    {
        var message = await AnalyzerHarness.VerifySingleAsync("""
            using ModelGen;
            [Model(InputShape = new[] { 1, 28, 28 })] public partial class M
            {
                [Conv2d(1, 4, 3)] public partial GraphLayer Conv { get; }
                [{|MG0014:Dense(2704, 10)|}] public partial GraphLayer Fc { get; }
            }
            """);

        Assert.Equal("Layer 'Fc' expects a 1-D input of 2704 features but 'Conv' produces [4, 26, 26]: add a [Flatten] layer before it", message);
    }

    [Fact]
    public async Task AddOfDifferentShapes()
    {
        var message = await AnalyzerHarness.VerifySingleAsync("""
            using ModelGen;
            [Model(InputShape = new[] { 64 })] public partial class M
            {
                [Dense(64, 32)] public partial GraphLayer Fc { get; }
                [{|MG0014:Add("input")|}] public partial GraphLayer Sum { get; }
            }
            """);

        Assert.Equal("Layer 'Sum' adds the model input [64] to 'Fc' [32]: both inputs must have the same shape", message);
    }

    [Fact]
    public async Task UnknownInputReportedAtTheArgument()
    {
        var message = await AnalyzerHarness.VerifySingleAsync("""
            using ModelGen;
            [Model(InputShape = new[] { 64 })] public partial class M
            {
                [Dense(64, 32)] public partial GraphLayer Fc { get; }
                [Relu({|MG0014:Input = "Missing"|})] public partial GraphLayer Act { get; }
            }
            """);

        Assert.Equal("Layer 'Act' reads 'Missing', which is not a layer of 'M': name an earlier layer property (nameof(...)) or \"input\" for the model input", message);
    }

    [Fact]
    public async Task ForwardResidualReportedAtTheArgument()
    {
        var message = await AnalyzerHarness.VerifySingleAsync("""
            using ModelGen;
            [Model(InputShape = new[] { 64 })] public partial class M
            {
                [Add({|MG0014:nameof(Fc)|})] public partial GraphLayer Sum { get; }
                [Dense(64, 64)] public partial GraphLayer Fc { get; }
            }
            """);

        Assert.Equal("Layer 'Sum' adds 'Fc', which is declared after it: a layer reads layers declared before it", message);
    }
}
