namespace ModelGen.Analyzers.Tests.MG0001LayerShapeMismatch;

public sealed class Valid
{
    [Fact]
    public Task ChainedLayers() => AnalyzerHarness.VerifyValidAsync("""
        using ModelGen;
        namespace Demo;
        [Model(MaxBatch = 64, MemoryBudget = "4 MiB")]
        public sealed partial class FashionMlp
        {
            [Dense(784, 256, Activation = Activation.Relu, Precision = Precision.Int8)]
            public partial DenseLayer Hidden { get; }
            [Dense(256, 128, Precision = Precision.Float16)]
            public partial DenseLayer Middle { get; }
            [Dense(128, 10)]
            public partial DenseLayer Output { get; }
        }
        """);

    [Fact]
    public Task SingleLayer() => AnalyzerHarness.VerifyValidAsync("""
        using ModelGen;
        [Model]
        partial class Linear
        {
            [Dense(3, 2, Bias = false)]
            public partial DenseLayer Projection { get; }
        }
        """);

    [Fact]
    public Task LayersSpreadOverPartialDeclarations() => AnalyzerHarness.VerifyValidAsync("""
        using ModelGen;
        [Model]
        public partial class Split
        {
            [Dense(8, 4)]
            public partial DenseLayer First { get; }
        }
        public partial class Split
        {
            [Dense(4, 2)]
            public partial DenseLayer Second { get; }
        }
        """);

    [Fact]
    public Task NamedConstructorArguments() => AnalyzerHarness.VerifyValidAsync("""
        using ModelGen;
        [Model]
        public partial class Named
        {
            [Dense(outFeatures: 4, inFeatures: 8)]
            public partial DenseLayer First { get; }
            [Dense(inFeatures: 4, outFeatures: 2)]
            public partial DenseLayer Second { get; }
        }
        """);
}
