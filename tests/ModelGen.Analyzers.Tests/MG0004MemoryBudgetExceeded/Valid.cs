namespace ModelGen.Analyzers.Tests.MG0004MemoryBudgetExceeded;

public sealed class Valid
{
    // 814,144 bytes of weights + 65,536 of activations at MaxBatch 64 = 879,680 bytes.
    private const string Model = """
        using ModelGen;
        [Model(MaxBatch = 64, MemoryBudget = "BUDGET")]
        public partial class M
        {
            [Dense(784, 256, Activation = Activation.Relu)]
            public partial DenseLayer Hidden { get; }
            [Dense(256, 10)]
            public partial DenseLayer Output { get; }
        }
        """;

    [Theory]
    [InlineData("1 MiB")]
    [InlineData("879680")]
    public Task ModelWithinItsBudget(string budget) => AnalyzerHarness.VerifyValidAsync(Model.Replace("BUDGET", budget));

    [Fact]
    public Task NoBudgetAnywhereMeansNoCheck() => AnalyzerHarness.VerifyValidAsync("""
        using ModelGen;
        [Model(MaxBatch = 1024)]
        public partial class M
        {
            [Dense(4096, 4096)]
            public partial DenseLayer Big { get; }
        }
        """);

    [Fact]
    public Task ProjectDefaultIsOverriddenByTheAttribute() => AnalyzerHarness.VerifyValidAsync(
        Model.Replace("BUDGET", "1 MiB"),
        new Dictionary<string, string> { [ModelMemoryAnalyzer.BudgetEditorConfigKey] = "1 KiB" });
}
