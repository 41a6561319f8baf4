namespace ModelGen.Analyzers.Tests.MG0005OversizedBatch;

public sealed class Diagnostics
{
    [Fact]
    public async Task ConstantBatchAboveMaxBatchIsReportedAtTheArgument()
    {
        var message = await AnalyzerHarness.VerifySingleAsync("""
            using ModelGen;
            [Model(MaxBatch = 8)]
            public partial class M
            {
                [Dense(4, 2)]
                public partial DenseLayer A { get; }
            }
            public static class Use
            {
                private const int Images = 16;
                public static void Run(M model, float[] x, float[] y) => model.Forward(x, y, {|MG0005:Images|});
            }
            """);

        Assert.Equal("'M.Forward' is called with batch 16 but the model's MaxBatch is 8: the call throws at run time; use ForwardInBatches to run micro-batches, or raise MaxBatch", message);
    }

    [Fact]
    public Task DefaultMaxBatchIsOne() => AnalyzerHarness.VerifyAsync("""
        using ModelGen;
        [Model]
        public partial class M
        {
            [Dense(4, 2)]
            public partial DenseLayer A { get; }
            public void Twice(float[] x, float[] y) => Forward(x, y, {|MG0005:1 + 1|});
        }
        """);
}
