namespace ModelGen.Analyzers.Tests.MG0003InvalidModelDeclaration;

public sealed class Diagnostics
{
    private const string Layer = "[Dense(2, 2)] public partial DenseLayer A { get; }";

    [Fact]
    public async Task ClassNotPartial()
    {
        var message = await AnalyzerHarness.VerifySingleAsync($$"""
            using ModelGen;
            [Model] public class {|MG0003:M|} { {{Layer}} }
            """);

        Assert.Equal("Model class 'M' must be partial: its loading, saving and Forward code is generated into another file", message);
    }

    [Fact]
    public Task GenericClass() => AnalyzerHarness.VerifyAsync($$"""
        using ModelGen;
        [Model] public partial class {|MG0003:M|}<T> { {{Layer}} }
        """);

    [Fact]
    public Task StaticClassAndStaticLayer() => AnalyzerHarness.VerifyAsync("""
        using ModelGen;
        [Model] public static partial class {|MG0003:M|} { [Dense(2, 2)] public static partial DenseLayer {|MG0003:A|} { get; } }
        """);

    [Fact]
    public async Task AbstractClass()
    {
        var message = await AnalyzerHarness.VerifySingleAsync($$"""
            using ModelGen;
            [Model] public abstract partial class {|MG0003:M|} { {{Layer}} }
            """);

        Assert.Equal("Model class 'M' must not be abstract: Load creates instances of it", message);
    }

    [Fact]
    public Task FileLocalClass() => AnalyzerHarness.VerifyAsync($$"""
        using ModelGen;
        [Model] file partial class {|MG0003:M|} { {{Layer}} }
        """);

    [Fact]
    public async Task Record()
    {
        var message = await AnalyzerHarness.VerifySingleAsync($$"""
            using ModelGen;
            [Model] public partial record {|MG0003:M|} { {{Layer}} }
            """);

        Assert.Equal("'M' is a record; a model must be a class", message);
    }

    [Fact]
    public async Task NestedInANonPartialType()
    {
        var message = await AnalyzerHarness.VerifySingleAsync($$"""
            using ModelGen;
            public class Outer { [Model] public partial class {|MG0003:M|} { {{Layer}} } }
            """);

        Assert.Equal("Model class 'M' is nested in 'Outer', which must be partial, non-generic and not file-local so the generated code can be nested in it too", message);
    }

    [Fact]
    public Task NestedInAGenericType() => AnalyzerHarness.VerifyAsync($$"""
        using ModelGen;
        public partial class Outer<T> { [Model] public partial class {|MG0003:M|} { {{Layer}} } }
        """);

    [Fact]
    public async Task NoLayers()
    {
        var message = await AnalyzerHarness.VerifySingleAsync("""
            using ModelGen;
            [Model] public partial class {|MG0003:M|} { public int Other { get; } }
            """);

        Assert.Equal("Model class 'M' declares no layers: add 'public partial DenseLayer Name { get; }' properties with [Dense(in, out)]", message);
    }

    [Fact]
    public async Task LayerNotPartial()
    {
        var message = await AnalyzerHarness.VerifySingleAsync("""
            using ModelGen;
            [Model] public partial class M { [Dense(2, 2)] public DenseLayer {|MG0003:A|} { get; } = null!; }
            """);

        Assert.Equal("Layer property 'A' must be declared partial without a body, e.g. 'public partial DenseLayer A { get; }'", message);
    }

    [Fact]
    public async Task LayerOfTheWrongType()
    {
        var diagnostics = await AnalyzerHarness.VerifyAsync("""
            using ModelGen;
            [Model]
            public partial class M
            {
                [Dense(2, 2)] public partial int {|MG0003:A|} { get; }
                [Dense(2, 2)] public partial DenseLayer? {|MG0003:B|} { get; }
            }
            """);

        Assert.Equal("Layer property 'A' must be of type ModelGen.DenseLayer, not 'int'", diagnostics[0].GetMessage());
        Assert.Equal("Layer property 'B' must be of type ModelGen.DenseLayer, not 'ModelGen.DenseLayer?'", diagnostics[1].GetMessage());
    }

    [Fact]
    public async Task LayerWithASetter()
    {
        var message = await AnalyzerHarness.VerifySingleAsync("""
            using ModelGen;
            [Model] public partial class M { [Dense(2, 2)] public partial DenseLayer {|MG0003:A|} { get; set; } }
            """);

        Assert.Equal("Layer property 'A' must be get-only: the generator implements it", message);
    }

    [Fact]
    public async Task IndexerLayer()
    {
        var message = await AnalyzerHarness.VerifySingleAsync("""
            using ModelGen;
            [Model] public partial class M { [Dense(2, 2)] public partial DenseLayer {|MG0003:this|}[int i] { get; } }
            """);

        Assert.Equal("A layer must be a property, not an indexer", message);
    }

    [Fact]
    public async Task DuplicateTensorNamesMarkTheLaterLayer()
    {
        var message = await AnalyzerHarness.VerifySingleAsync("""
            using ModelGen;
            [Model]
            public partial class M
            {
                [Dense(2, 2)] public partial DenseLayer Hidden { get; }
                [Dense(2, 2, Name = "hidden")] public partial DenseLayer {|MG0003:Other|} { get; }
            }
            """);

        Assert.Equal("Layers 'Hidden' and 'Other' both use the tensor name 'hidden'; set a different Name on one of them", message);
    }

    [Fact]
    public async Task LayerNamedLikeAGeneratedMember()
    {
        var message = await AnalyzerHarness.VerifySingleAsync("""
            using ModelGen;
            [Model] public partial class M { [Dense(2, 2)] public partial DenseLayer {|MG0003:Memory|} { get; } }
            """);

        Assert.Equal("Layer property 'Memory' clashes with a member the generator declares; rename it and set [Dense(..., Name = \"...\")] to keep the tensor name", message);
    }

    [Fact]
    public Task LayerNamesThatDifferOnlyInTheirFirstLetter() => AnalyzerHarness.VerifyAsync("""
        using ModelGen;
        [Model]
        public partial class M
        {
            [Dense(2, 2, Name = "p")] public partial DenseLayer Hidden { get; }
            [Dense(2, 2, Name = "q")] public partial DenseLayer {|MG0003:hidden|} { get; }
        }
        """);
}
