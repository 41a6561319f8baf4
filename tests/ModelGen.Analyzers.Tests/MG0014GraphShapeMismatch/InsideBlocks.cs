namespace ModelGen.Analyzers.Tests.MG0014GraphShapeMismatch;

public sealed class InsideBlocks
{
    [Fact]
    public async Task ReportedAtTheBlockMembersAttribute()
    {
        var message = await AnalyzerHarness.VerifySingleAsync("""
            using ModelGen;
            [ModelBlock] public interface IBlock
            {
                [{|MG0014:LayerNorm(16)|}] GraphLayer Norm { get; }
                [Dense(16, 16)] GraphLayer Fc { get; }
            }
            [Model(InputShape = new[] { 20 })] public partial class M
            {
                [Block(typeof(IBlock))] public partial GraphLayer Body { get; }
            }
            """);

        Assert.Equal("Layer 'Body.Norm' normalizes the last 16 values but the model input produces [20]: Features must equal the last dimension", message);
    }

    [Fact]
    public async Task ArgumentsOfTheLastMemberAreReportedInTheInterface()
    {
        // The last member takes the use's property, but its arguments are written in the interface.
        var diagnostics = await AnalyzerHarness.VerifyAsync("""
            using ModelGen;
            [ModelBlock] public interface IBlock
            {
                [Relu] GraphLayer Act { get; }
                [Dense({|MG0002:0|}, 16)] GraphLayer Fc { get; }
            }
            [Model(InputShape = new[] { 16 })] public partial class M
            {
                [Block(typeof(IBlock))] public partial GraphLayer Body { get; }
            }
            """);

        Assert.Contains("'Body'", Assert.Single(diagnostics).GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUnusableBlockIsReportedAtTheUse()
    {
        var message = await AnalyzerHarness.VerifySingleAsync("""
            using ModelGen;
            public interface INotMarked { [Relu] GraphLayer Act { get; } }
            [Model(InputShape = new[] { 20 })] public partial class M
            {
                [{|MG0003:Block(typeof(INotMarked))|}] public partial GraphLayer Body { get; }
            }
            """);

        Assert.Equal("Layer property 'Body' cannot use its block: 'INotMarked' is not an interface marked [ModelBlock]", message);
    }

    [Fact]
    public async Task ValidBlocksReportNothing() => await AnalyzerHarness.VerifyAsync("""
        using ModelGen;
        [ModelBlock] public interface IBlock
        {
            [LayerNorm(16)] GraphLayer Norm { get; }
            [Dense(16, 16)] GraphLayer Fc { get; }
            [Add("input")] GraphLayer Sum { get; }
        }
        [Model(InputShape = new[] { 16 }, WeightPrecision = Precision.Int8)] public partial class M
        {
            [Block(typeof(IBlock))] public partial GraphLayer First { get; }
            [Block(typeof(IBlock))] public partial GraphLayer Second { get; }
        }
        """);
}
