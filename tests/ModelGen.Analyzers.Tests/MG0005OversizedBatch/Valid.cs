namespace ModelGen.Analyzers.Tests.MG0005OversizedBatch;

public sealed class Valid
{
    [Fact]
    public Task BatchesWithinMaxBatchOrUnknownAtCompileTime() => AnalyzerHarness.VerifyValidAsync("""
        using System;
        using ModelGen;
        [Model(MaxBatch = 8)]
        public partial class M
        {
            [Dense(4, 2)]
            public partial DenseLayer A { get; }
        }
        public static class Use
        {
            public static void Run(M model, float[] x, float[] y, int n)
            {
                model.Forward(x, y, 8);
                model.Forward(x, y, n);
                model.ForwardInBatches(x, y, 100);
            }
        }
        """);
}
