namespace ModelGen.Analyzers.Tests.MG0009PaddingWaste;

public sealed class Diagnostics
{
    private const string Model = """
        using ModelGen;
        [Model]
        public partial class M
        {
            [Dense(784, 10)]
            public partial DenseLayer Features { get; }
            [Dense({|MG0009:10|}, 3, Precision = Precision.Int8)]
            public partial DenseLayer Head { get; }
        }
        """;

    [Fact]
    public async Task NarrowInt8RowsAreReportedWithTheFraction()
    {
        // 10 int8 values fill 10 of the 32 lanes of a 256-bit vector.
        var message = await AnalyzerHarness.VerifySingleAsync(Model);
        Assert.Equal("Layer 'Head' reads rows of 10 inputs in 32-lane Int8 vectors: 69 % of the lanes of each row's last vector are padding", message);
    }

    [Fact]
    public async Task Int4RowsArePaddedToWholeGroups()
    {
        // 40 inputs in groups of 32: the second group holds 8 weights and 24 zeros.
        var message = await AnalyzerHarness.VerifySingleAsync("""
            using ModelGen;
            [Model] public partial class M { [Dense({|MG0009:40|}, 4, Precision = Precision.Int4)] public partial DenseLayer A { get; } }
            """);
        Assert.Equal("Layer 'A' reads rows of 40 inputs in 32-lane Int4 vectors: 38 % of the lanes of each row's last vector are padding", message);
    }

    [Fact]
    public Task WidthsThatFillTheLanesAreNotReported() => AnalyzerHarness.VerifyAsync("""
        using ModelGen;
        [Model]
        public partial class M
        {
            [Dense(784, 256, Precision = Precision.Int8)]
            public partial DenseLayer A { get; }
            [Dense(256, 10)]
            public partial DenseLayer B { get; }
            [Dense(10, 7, Precision = Precision.Float16)]
            public partial DenseLayer C { get; }
        }
        """.Replace("[Dense(10, 7", "[Dense({|MG0009:10|}, 7"));

    [Fact]
    public Task TheThresholdIsConfigurable() => AnalyzerHarness.VerifyAsync(
        Model.Replace("{|MG0009:10|}", "10"),
        new Dictionary<string, string> { [ModelMemoryAnalyzer.PaddingThresholdKey] = "0.75" });
}
