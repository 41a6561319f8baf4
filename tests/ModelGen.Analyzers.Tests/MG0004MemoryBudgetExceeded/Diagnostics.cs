namespace ModelGen.Analyzers.Tests.MG0004MemoryBudgetExceeded;

public sealed class Diagnostics
{
    [Fact]
    public async Task ReportsTheNumbersAndTheLargestBatchThatFits()
    {
        var message = await AnalyzerHarness.VerifySingleAsync("""
            using ModelGen;
            [Model(MaxBatch = 64, {|MG0004:MemoryBudget = "850 KB"|})]
            public partial class M
            {
                [Dense(784, 256, Activation = Activation.Relu)]
                public partial DenseLayer Hidden { get; }
                [Dense(256, 10)]
                public partial DenseLayer Output { get; }
            }
            """);

        // Batch 35 plans 814,144 + 35,840 = 849,984 bytes; batch 36 needs 851,008.
        Assert.Equal("'M' needs 879,680 bytes at MaxBatch 64 (weight block 814,144 + activation block 65,536) but its memory budget is 850 KB (850,000 bytes): the largest MaxBatch that fits is 35", message);
    }

    [Fact]
    public async Task WhenNoBatchFitsItPointsAtTheLargestLayer()
    {
        var message = await AnalyzerHarness.VerifySingleAsync("""
            using ModelGen;
            [Model(MaxBatch = 64, {|MG0004:MemoryBudget = "512 KiB"|})]
            public partial class M
            {
                [Dense(784, 256, Activation = Activation.Relu)]
                public partial DenseLayer Hidden { get; }
                [Dense(256, 10)]
                public partial DenseLayer Output { get; }
            }
            """);

        Assert.EndsWith("no batch fits: the weights alone take 814,144 bytes; lower the precision of a layer such as 'Hidden' (Float32)", message);
    }

    [Theory]
    [InlineData(ModelMemoryAnalyzer.BudgetEditorConfigKey)]
    [InlineData(ModelMemoryAnalyzer.BudgetBuildPropertyKey)]
    public Task ProjectDefaultBudgetIsReportedOnTheModelAttribute(string key) => AnalyzerHarness.VerifyAsync("""
        using ModelGen;
        [{|MG0004:Model(MaxBatch = 64)|}]
        public partial class M
        {
            [Dense(784, 256)]
            public partial DenseLayer Hidden { get; }
        }
        """, new Dictionary<string, string> { [key] = "256 KiB" });

    [Fact]
    public Task InvalidModelsAreLeftToTheDefinitionRules() => AnalyzerHarness.VerifyAsync("""
        using ModelGen;
        [Model(MaxBatch = 64, MemoryBudget = "1 KiB")]
        public partial class M
        {
            [Dense(784, 256)]
            public partial DenseLayer Hidden { get; }
            [Dense({|MG0001:128|}, 10)]
            public partial DenseLayer Output { get; }
        }
        """);
}
