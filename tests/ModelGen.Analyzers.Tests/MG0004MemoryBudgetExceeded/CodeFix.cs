using ModelGen.CodeFixes;

namespace ModelGen.Analyzers.Tests.MG0004MemoryBudgetExceeded;

public sealed class CodeFix
{
    private const string OverBudget = """
        using ModelGen;
        [Model(MaxBatch = 64, MemoryBudget = "850 KB")]
        public partial class M
        {
            [Dense(784, 256, Activation = Activation.Relu)]
            public partial DenseLayer Hidden { get; }
            [Dense(256, 10)]
            public partial DenseLayer Output { get; }
        }
        """;

    [Fact]
    public async Task SetsMaxBatchToTheLargestThatFits()
    {
        var fixedSource = await CodeFixHarness.ApplyAsync(new FixMemoryBudget(), OverBudget, "Set MaxBatch");

        Assert.Contains("[Model(MaxBatch = 35, MemoryBudget = \"850 KB\")]", fixedSource);
        await AnalyzerHarness.VerifyValidAsync(fixedSource);
    }

    [Fact]
    public async Task ReplacesMaxBatchWhereverItStands()
    {
        // Weights 18,752 bytes; activations 256 bytes per sample: batch 317 plans 99,904 bytes, batch 318 100,160.
        var fixedSource = await CodeFixHarness.ApplyAsync(new FixMemoryBudget(), """
            using ModelGen;
            [Model(MemoryBudget = "100 KB", MaxBatch = 1000)]
            public partial class M
            {
                [Dense(64, 64)]
                public partial DenseLayer A { get; }
                [Dense(64, 8)]
                public partial DenseLayer B { get; }
            }
            """, "Set MaxBatch");

        Assert.Contains("[Model(MemoryBudget = \"100 KB\", MaxBatch = 317)]", fixedSource);
        await AnalyzerHarness.VerifyValidAsync(fixedSource);
    }

    [Fact]
    public async Task StoresTheLargestLayerAtALowerPrecision()
    {
        var fixedSource = await CodeFixHarness.ApplyAsync(new FixMemoryBudget(), OverBudget, "Store layer 'Hidden'");

        Assert.Contains("[Dense(784, 256, Activation = Activation.Relu, Precision = Precision.Float16)]", fixedSource);
        await AnalyzerHarness.VerifyValidAsync(fixedSource);
    }

    [Fact]
    public async Task Int8LayersGoToInt4()
    {
        var fixedSource = await CodeFixHarness.ApplyAsync(new FixMemoryBudget(), """
            using ModelGen;
            [Model(MaxBatch = 64, MemoryBudget = "300 KB")]
            public partial class M
            {
                [Dense(784, 256, Activation = Activation.Relu, Precision = Precision.Int8)]
                public partial DenseLayer Hidden { get; }
                [Dense(256, 10)]
                public partial DenseLayer Output { get; }
            }
            """, "Store layer 'Hidden'");

        Assert.Contains("[Dense(784, 256, Activation = Activation.Relu, Precision = Precision.Int4)]", fixedSource);
        await AnalyzerHarness.VerifyValidAsync(fixedSource);
    }

    [Fact]
    public async Task PrunedLayersGoToInt8NotFloat16()
    {
        var fixedSource = await CodeFixHarness.ApplyAsync(new FixMemoryBudget(), """
            using ModelGen;
            [Model(MaxBatch = 64, MemoryBudget = "450 KB")]
            public partial class M
            {
                [Dense(784, 256, Activation = Activation.Relu, Pruning = Pruning.TwoOfFour)]
                public partial DenseLayer Hidden { get; }
                [Dense(256, 10)]
                public partial DenseLayer Output { get; }
            }
            """, "Store layer 'Hidden'");

        Assert.Contains("Pruning = Pruning.TwoOfFour, Precision = Precision.Int8)]", fixedSource);
        await AnalyzerHarness.VerifyValidAsync(fixedSource);
    }
}
