namespace ModelGen.Analyzers.Tests.MG0009PaddingWaste;

public sealed class GraphLayers
{
    // Fc (Float32) reads 288 = 36 x 8 values and wastes nothing; Out (Float16) reads 4 of 8 lanes, Head (Int8) 10 of 32.
    private const string Model = """
        using ModelGen;
        [Model(InputShape = new[] { 3, 8, 8 })] public partial class M
        {
            [Conv2d(3, 8, 3)] public partial GraphLayer Stem { get; }
            [Flatten] public partial GraphLayer Flat { get; }
            [Dense(288, 4)] public partial GraphLayer Fc { get; }
            [Dense({|MG0009:4|}, 10, Precision = Precision.Float16)] public partial GraphLayer Out { get; }
            [Dense({|MG0009:10|}, 3, Precision = Precision.Int8)] public partial GraphLayer Head { get; }
        }
        """;

    [Fact]
    public async Task GraphDenseRowsAreReportedWithTheFraction()
    {
        var diagnostics = await AnalyzerHarness.VerifyAsync(Model);

        Assert.Equal(
            [
                "Layer 'Out' reads rows of 4 inputs in 8-lane Float16 vectors: 50 % of the lanes of each row's last vector are padding",
                "Layer 'Head' reads rows of 10 inputs in 32-lane Int8 vectors: 69 % of the lanes of each row's last vector are padding",
            ],
            diagnostics.Select(d => d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public Task ConvolutionsAreNotJudgedByRowWidth() => AnalyzerHarness.VerifyAsync(
        // Stem reads 3 int8 channels and Mix 5 fp32 channels, which a Dense row would leave mostly padding; only the
        // Dense head (36 of 64 int8 lanes) is reported.
        """
        using ModelGen;
        [Model(InputShape = new[] { 3, 8, 8 })] public partial class M
        {
            [Conv2d(3, 5, 3, Precision = Precision.Int8)] public partial GraphLayer Stem { get; }
            [Conv2d(5, 1, 1)] public partial GraphLayer Mix { get; }
            [Flatten] public partial GraphLayer Flat { get; }
            [Dense({|MG0009:36|}, 4, Precision = Precision.Int8)] public partial GraphLayer Head { get; }
        }
        """);

    [Fact]
    public Task InsideABlockUsedTwiceEachMemberIsReportedOnce() => AnalyzerHarness.VerifyAsync("""
        using ModelGen;
        [ModelBlock] public interface IBlock
        {
            [Dense({|MG0009:12|}, 12, Precision = Precision.Int8)] GraphLayer Fc { get; }
            [Dense(12, 16)] GraphLayer Proj { get; }
            [Dense({|MG0009:16|}, 12, Precision = Precision.Int8)] GraphLayer Out { get; }
        }
        [Model(InputShape = new[] { 12 })] public partial class M
        {
            [Block(typeof(IBlock))] public partial GraphLayer First { get; }
            [Block(typeof(IBlock))] public partial GraphLayer Second { get; }
        }
        """);

    [Fact]
    public Task TheThresholdIsConfigurable() => AnalyzerHarness.VerifyAsync(
        Model.Replace("{|MG0009:4|}", "4"),
        new Dictionary<string, string> { [ModelMemoryAnalyzer.PaddingThresholdKey] = "0.6" });
}
