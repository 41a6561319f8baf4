namespace ModelGen.Analyzers.Tests.MG0002AttributeValueOutOfRange;

public sealed class Valid
{
    [Fact]
    public Task LargestWidthAndEveryOptionSet() => AnalyzerHarness.VerifyValidAsync("""
        using ModelGen;
        [Model(MaxBatch = 1, MemoryBudget = "1.5 GB", Softmax = true)]
        public partial class Wide
        {
            [Dense(16777216, 1, Activation = Activation.Gelu, Precision = Precision.BFloat16, Bias = false, Name = "fc.0")]
            public partial DenseLayer Projection { get; }
        }
        """);

    [Fact]
    public Task LargestBatch() => AnalyzerHarness.VerifyValidAsync("""
        using ModelGen;
        [Model(MaxBatch = 1048576, MemoryBudget = "16 MiB")]
        public partial class Tiny
        {
            [Dense(2, 2, Precision = Precision.Int8)]
            public partial DenseLayer Only { get; }
        }
        """);

    [Fact]
    public Task ZeroLiteralConvertsToTheFirstEnumValue() => AnalyzerHarness.VerifyValidAsync("""
        using ModelGen;
        [Model]
        public partial class M
        {
            [Dense(2, 2, Precision = 0, Activation = 0)]
            public partial DenseLayer Only { get; }
        }
        """);
}
