namespace ModelGen.Analyzers.Tests.MG0011MemoryReport;

public sealed class Diagnostics
{
    [Fact]
    public async Task TheClassShowsItsMemoryFigures()
    {
        var message = await AnalyzerHarness.VerifySingleAsync("""
            using ModelGen;
            [Model(MaxBatch = 64)]
            public partial class {|MG0011:Mlp|}
            {
                [Dense(784, 256, Activation = Activation.Relu, Precision = Precision.Int8)]
                public partial DenseLayer Hidden { get; }
                [Dense(256, 10, Precision = Precision.Int8)]
                public partial DenseLayer Output { get; }
            }
            """);

        Assert.Equal("'Mlp' takes 321,408 bytes of native memory: weights 205,392 bytes (25.2% of fp32), activations 1,812 bytes per sample, 115,968 bytes at MaxBatch 64", message);
    }

    [Fact]
    public Task InvalidModelsGetNoReport() => AnalyzerHarness.VerifyAsync("""
        using ModelGen;
        [Model]
        public partial class Mlp
        {
            [Dense(784, 256)]
            public partial DenseLayer Hidden { get; }
            [Dense({|MG0001:128|}, 10)]
            public partial DenseLayer Output { get; }
        }
        """);
}
