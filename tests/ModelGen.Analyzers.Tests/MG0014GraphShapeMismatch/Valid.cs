namespace ModelGen.Analyzers.Tests.MG0014GraphShapeMismatch;

public sealed class Valid
{
    [Fact]
    public Task ConvolutionsPoolsResidualsAndDense() => AnalyzerHarness.VerifyValidAsync("""
        using ModelGen;
        [Model(InputShape = new[] { 3, 32, 32 }, MaxBatch = 4)] public partial class M
        {
            [Conv2d(3, 16, 3, Stride = 2, Padding = 1, Bias = false)] public partial GraphLayer Stem { get; }
            [BatchNorm2d(16)] public partial GraphLayer StemBn { get; }
            [Relu6] public partial GraphLayer StemAct { get; }
            [Conv2d(16, 16, 3, Padding = 1, Groups = 16, Bias = false, Precision = Precision.Int8)] public partial GraphLayer Dw { get; }
            [Add(nameof(StemAct))] public partial GraphLayer Sum { get; }
            [MaxPool2d(3, Stride = 2, Padding = 1)] public partial GraphLayer Pool { get; }
            [GlobalAvgPool] public partial GraphLayer Gap { get; }
            [Flatten] public partial GraphLayer Flat { get; }
            [LayerNorm(16)] public partial GraphLayer Norm { get; }
            [Dense(16, 10, Precision = Precision.Float16)] public partial GraphLayer Head { get; }
            [Sigmoid(Input = nameof(Head))] public partial GraphLayer Out { get; }
        }
        """);
}
