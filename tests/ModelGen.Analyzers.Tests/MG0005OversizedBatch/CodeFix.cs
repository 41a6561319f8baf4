using ModelGen.CodeFixes;

namespace ModelGen.Analyzers.Tests.MG0005OversizedBatch;

public sealed class CodeFix
{
    [Fact]
    public async Task CallsForwardInBatchesAndImportsItsNamespace()
    {
        var fixedSource = await CodeFixHarness.ApplyAsync(new FixOversizedBatch(), """
            namespace App
            {
                [ModelGen.Model(MaxBatch = 8)]
                public partial class M
                {
                    [ModelGen.Dense(4, 2)]
                    public partial ModelGen.DenseLayer A { get; }
                }
                public static class Use
                {
                    public static void Run(M model, float[] x, float[] y) => model.Forward(x, y, 16);
                }
            }
            """);

        Assert.Contains("model.ForwardInBatches(x, y, 16)", fixedSource);
        Assert.StartsWith("using ModelGen;", fixedSource);
        await AnalyzerHarness.VerifyValidAsync(fixedSource);
    }

    [Fact]
    public async Task InsideTheModelTheReceiverIsThis()
    {
        var fixedSource = await CodeFixHarness.ApplyAsync(new FixOversizedBatch(), """
            using ModelGen;
            [Model]
            public partial class M
            {
                [Dense(4, 2)]
                public partial DenseLayer A { get; }
                public void Twice(float[] x, float[] y) => Forward(x, y, 2);
            }
            """);

        Assert.Contains("this.ForwardInBatches(x, y, 2)", fixedSource);
        await AnalyzerHarness.VerifyValidAsync(fixedSource);
    }
}
