namespace ModelGen.Analyzers.Tests.MG0003InvalidModelDeclaration;

public sealed class Valid
{
    [Fact]
    public Task NestedInPartialTypes() => AnalyzerHarness.VerifyValidAsync("""
        using ModelGen;
        namespace Company.Vision
        {
            public static partial class Zoo
            {
                internal partial struct Holder
                {
                    [Model(MaxBatch = 8)]
                    internal sealed partial class Tiny
                    {
                        [Dense(4, 2)]
                        internal partial DenseLayer Layer { get; }
                    }
                }
            }
        }
        """);

    [Fact]
    public Task KeywordNamesAndExplicitTensorNames() => AnalyzerHarness.VerifyValidAsync("""
        using ModelGen;
        namespace @event;
        [Model]
        public partial class @class
        {
            [Dense(4, 3, Name = "hidden")]
            public partial DenseLayer @int { get; }
            [Dense(3, 2, Name = "hidden2")]
            private partial DenseLayer Hidden { get; }
        }
        """);

    [Fact]
    public Task NestedInARecord() => AnalyzerHarness.VerifyValidAsync("""
        using ModelGen;
        public partial record Outer
        {
            [Model]
            public partial class Inner
            {
                [Dense(4, 2)]
                public partial DenseLayer Layer { get; }
            }
        }
        """);
}
