namespace ModelGen.Analyzers.Tests.MG0001LayerShapeMismatch;

public sealed class Diagnostics
{
    [Fact]
    public async Task MismatchPointsAtTheInputWidthAndNamesBothLayers()
    {
        var message = await AnalyzerHarness.VerifySingleAsync("""
            using ModelGen;
            [Model]
            public partial class M
            {
                [Dense(784, 256)]
                public partial DenseLayer Hidden { get; }
                [Dense({|MG0001:128|}, 10)]
                public partial DenseLayer Output { get; }
            }
            """);

        Assert.Equal("Layer 'Output' takes 128 inputs but the previous layer 'Hidden' produces 256 (Dense(784, 256) -> Dense(128, 10))", message);
    }

    [Fact]
    public Task EveryBrokenLinkIsReported() => AnalyzerHarness.VerifyAsync("""
        using ModelGen;
        [Model]
        public partial class M
        {
            [Dense(8, 6)] public partial DenseLayer A { get; }
            [Dense({|MG0001:5|}, 4)] public partial DenseLayer B { get; }
            [Dense(4, 3)] public partial DenseLayer C { get; }
            [Dense({|MG0001:2|}, 1)] public partial DenseLayer D { get; }
        }
        """);

    [Fact]
    public Task NamedInputArgumentIsMarkedWhole() => AnalyzerHarness.VerifyAsync("""
        using ModelGen;
        [Model]
        public partial class M
        {
            [Dense(8, 6)] public partial DenseLayer A { get; }
            [Dense(outFeatures: 2, {|MG0001:inFeatures: 5|})] public partial DenseLayer B { get; }
        }
        """);

    [Fact]
    public Task AnUnboundNeighbourIsLeftToTheCompiler() => AnalyzerHarness.VerifyAsync("""
        using ModelGen;
        [Model]
        public partial class M
        {
            [Dense(8)] public partial DenseLayer A { get; }
            [Dense(5, 2)] public partial DenseLayer B { get; }
        }
        """);
}
