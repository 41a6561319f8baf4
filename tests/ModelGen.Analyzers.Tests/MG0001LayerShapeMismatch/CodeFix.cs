using ModelGen.CodeFixes;

namespace ModelGen.Analyzers.Tests.MG0001LayerShapeMismatch;

public sealed class CodeFix
{
    [Fact]
    public async Task SetsTheInputWidthToThePreviousOutputWidth()
    {
        var fixedSource = await CodeFixHarness.ApplyAsync(new FixLayerInputWidth(), """
            using ModelGen;
            [Model]
            public partial class M
            {
                [Dense(784, 256)]
                public partial DenseLayer Hidden { get; }
                [Dense(128, 10)]
                public partial DenseLayer Output { get; }
            }
            """);

        Assert.Contains("[Dense(256, 10)]", fixedSource);
        await AnalyzerHarness.VerifyValidAsync(fixedSource);
    }

    [Fact]
    public async Task FixesANamedArgumentInPlace()
    {
        var fixedSource = await CodeFixHarness.ApplyAsync(new FixLayerInputWidth(), """
            using ModelGen;
            [Model]
            public partial class M
            {
                [Dense(8, 6)] public partial DenseLayer A { get; }
                [Dense(outFeatures: 4, inFeatures: 5)] public partial DenseLayer B { get; }
            }
            """);

        Assert.Contains("[Dense(outFeatures: 4, inFeatures: 6)]", fixedSource);
        await AnalyzerHarness.VerifyValidAsync(fixedSource);
    }
}
