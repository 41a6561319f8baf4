namespace ModelGen.Analyzers.Tests.MG0004MemoryBudgetExceeded;

public sealed class GraphDiagnostics
{
    [Fact]
    public async Task GraphModelsUseTheExactPlan()
    {
        var message = await AnalyzerHarness.VerifySingleAsync("""
            using ModelGen;
            [Model(InputShape = new[] { 64 }, MaxBatch = 64, {|MG0004:MemoryBudget = "15000"|})]
            public partial class M
            {
                [Dense(64, 32, Activation = Activation.Relu)] public partial GraphLayer Hidden { get; }
                [Dense(32, 10)] public partial GraphLayer Output { get; }
            }
            """);

        // Weights: 8,192 + 128 bias, then 1,280 + 40 at 8,320 -> block 9,664. Activations: Hidden's 128 bytes per sample.
        // (15,000 - 9,664) / 128 = 41 samples fit.
        Assert.Equal("'M' needs 17,856 bytes at MaxBatch 64 (weight block 9,664 + activation block 8,192) but its memory budget is 15000 (15,000 bytes): the largest MaxBatch that fits is 41", message);
    }
}
