namespace ModelGen.Analyzers.Tests.MG0012SoftwareHalfConversion;

public sealed class GraphLayers
{
    [Fact]
    public async Task GraphDenseIsReportedAtItsPrecision()
    {
        // The Float32, BFloat16 and Int8 layers around it stay quiet (MG0012 is checked everywhere once it is marked).
        var message = await AnalyzerHarness.VerifySingleAsync("""
            using ModelGen;
            [Model(InputShape = new[] { 64 })] public partial class M
            {
                [Dense(64, 32)] public partial GraphLayer A { get; }
                [Dense(32, 32, {|MG0012:Precision = Precision.Float16|})] public partial GraphLayer B { get; }
                [Dense(32, 16, Precision = Precision.BFloat16)] public partial GraphLayer C { get; }
                [Dense(16, 8, Precision = Precision.Int8)] public partial GraphLayer D { get; }
            }
            """);

        Assert.StartsWith("Layer 'B' stores Float16 weights, which .NET 10 can only widen to fp32 in software", message);
    }

    [Fact]
    public async Task GraphConv2dIsReportedAtItsPrecision()
    {
        var message = await AnalyzerHarness.VerifySingleAsync("""
            using ModelGen;
            [Model(InputShape = new[] { 3, 16, 16 })] public partial class M
            {
                [Conv2d(3, 8, 3, Padding = 1, {|MG0012:Precision = Precision.Float16|})] public partial GraphLayer Stem { get; }
                [Conv2d(8, 8, 3, Padding = 1, Precision = Precision.BFloat16)] public partial GraphLayer Mid { get; }
                [Conv2d(8, 8, 3, Padding = 1, Precision = Precision.Int8)] public partial GraphLayer Last { get; }
                [GlobalAvgPool] public partial GraphLayer Gap { get; }
                [Flatten] public partial GraphLayer Flat { get; }
                [Dense(8, 4)] public partial GraphLayer Head { get; }
            }
            """);

        Assert.StartsWith("Layer 'Stem' stores Float16 weights", message);
    }

    [Fact]
    public Task ModelWideFloat16IsReportedAtEachWeightedLayer() => AnalyzerHarness.VerifyAsync("""
        using ModelGen;
        [Model(InputShape = new[] { 3, 8, 8 }, WeightPrecision = Precision.Float16)] public partial class M
        {
            [{|MG0012:Conv2d(3, 8, 3)|}] public partial GraphLayer Stem { get; }
            [Relu] public partial GraphLayer Act { get; }
            [Flatten] public partial GraphLayer Flat { get; }
            [{|MG0012:Dense(288, 16)|}] public partial GraphLayer Fc { get; }
            [Dense(16, 4, Precision = Precision.BFloat16)] public partial GraphLayer Head { get; }
        }
        """);

    [Fact]
    public Task InsideABlockUsedTwiceEachMemberIsReportedOnce() => AnalyzerHarness.VerifyAsync("""
        using ModelGen;
        [ModelBlock] public interface IBlock
        {
            [Dense(16, 16, {|MG0012:Precision = Precision.Float16|})] GraphLayer Fc { get; }
            [Relu] GraphLayer Act { get; }
            [Dense(16, 16, Precision = Precision.BFloat16)] GraphLayer Proj { get; }
            [Dense(16, 16, {|MG0012:Precision = Precision.Float16|})] GraphLayer Out { get; }
        }
        [Model(InputShape = new[] { 16 })] public partial class M
        {
            [Block(typeof(IBlock))] public partial GraphLayer First { get; }
            [Block(typeof(IBlock))] public partial GraphLayer Second { get; }
            [Dense(16, 4, Precision = Precision.Int8)] public partial GraphLayer Head { get; }
        }
        """);
}
