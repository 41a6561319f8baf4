namespace ModelGen.Analyzers.Tests.MG0012SoftwareHalfConversion;

public sealed class Diagnostics
{
    [Fact]
    public async Task Float16LayersAreReportedAtTheirPrecision()
    {
        var message = await AnalyzerHarness.VerifySingleAsync("""
            using ModelGen;
            [Model]
            public partial class M
            {
                [Dense(64, 32, {|MG0012:Precision = Precision.Float16|})]
                public partial DenseLayer A { get; }
                [Dense(32, 8, Precision = Precision.BFloat16)]
                public partial DenseLayer B { get; }
            }
            """);

        Assert.StartsWith("Layer 'A' stores Float16 weights, which .NET 10 can only widen to fp32 in software", message);
    }
}
