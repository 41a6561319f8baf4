using ModelGen.Generators.Model;
using ModelGen.Generators.Model.Graph;

namespace ModelGen.Generators.Tests;

/// <summary>[ModelBlock] interfaces used by [Block]: expansion, names, nesting, WeightPrecision and their problems.</summary>
public sealed class BlockTests
{
    private const string PreNormBlock = """
        [ModelBlock]
        public interface IPreNorm
        {
            [LayerNorm(16)] GraphLayer Norm { get; }
            [Dense(16, 32)] GraphLayer FcA { get; }
            [Gelu] GraphLayer Gelu { get; }
            [Dense(32, 16, Precision = Precision.Float16)] GraphLayer FcB { get; }
            [Add("input")] GraphLayer Residual { get; }
        }
        """;

    // The same network written out layer by layer, with the names the blocks give.
    private const string Flat = """
        using ModelGen;
        [Model(InputShape = new[] { 20 }, MaxBatch = 4)]
        public partial class M
        {
            [Dense(20, 16)] public partial GraphLayer Inp { get; }
            [LayerNorm(16, Name = "layers.0.norm")] public partial GraphLayer Norm0 { get; }
            [Dense(16, 32, Name = "layers.0.fc_a")] public partial GraphLayer FcA0 { get; }
            [Gelu(Name = "layers.0.gelu")] public partial GraphLayer Gelu0 { get; }
            [Dense(32, 16, Precision = Precision.Float16, Name = "layers.0.fc_b")] public partial GraphLayer FcB0 { get; }
            [Add(nameof(Inp), Name = "layers.0.residual")] public partial GraphLayer Layer0 { get; }
            [LayerNorm(16, Name = "layers.1.norm")] public partial GraphLayer Norm1 { get; }
            [Dense(16, 32, Name = "layers.1.fc_a")] public partial GraphLayer FcA1 { get; }
            [Gelu(Name = "layers.1.gelu")] public partial GraphLayer Gelu1 { get; }
            [Dense(32, 16, Precision = Precision.Float16, Name = "layers.1.fc_b")] public partial GraphLayer FcB1 { get; }
            [Add(nameof(Layer0), Name = "layers.1.residual")] public partial GraphLayer Layer1 { get; }
            [Dense(16, 4)] public partial GraphLayer Out { get; }
        }
        """;

    private const string WithBlocks = $$"""
        using ModelGen;
        {{PreNormBlock}}
        [Model(InputShape = new[] { 20 }, MaxBatch = 4)]
        public partial class M
        {
            [Dense(20, 16)] public partial GraphLayer Inp { get; }
            [Block(typeof(IPreNorm), Name = "layers.0")] public partial GraphLayer Layer0 { get; }
            [Block(typeof(IPreNorm), Name = "layers.1")] public partial GraphLayer Layer1 { get; }
            [Dense(16, 4)] public partial GraphLayer Out { get; }
        }
        """;

    [Fact]
    public void ABlockUsedTwicePlansExactlyLikeTheLayersWrittenOut()
    {
        var blocks = GeneratorHarness.Parse(WithBlocks).Spec;
        var flat = GeneratorHarness.Parse(Flat).Spec;
        Assert.Empty(ModelValidator.Validate(blocks));
        Assert.Empty(ModelValidator.Validate(flat));

        Assert.Equal(GraphPlanner.Plan(flat).Layers, GraphPlanner.Plan(blocks).Layers);
        Assert.Equal(
            ["Inp", "Layer0.Norm", "Layer0.FcA", "Layer0.Gelu", "Layer0.FcB", "Layer0", "Layer1.Norm", "Layer1.FcA", "Layer1.Gelu", "Layer1.FcB", "Layer1", "Out"],
            blocks.GraphLayers.Select(l => l.Property.Name));
        Assert.Equal([false, true, true, true, true, false, true, true, true, true, false, false],
            blocks.GraphLayers.Select(l => l.Property.IsBlockMember));
    }

    [Fact]
    public void BlockUsesCompileAndOnlyTheUsesBecomeProperties()
    {
        var (run, output) = GeneratorHarness.Run(WithBlocks);
        var generated = Assert.Single(Assert.Single(run.Results).GeneratedSources).SourceText.ToString();
        var diagnostics = output.GetDiagnostics(TestContext.Current.CancellationToken)
            .Where(d => d.Severity >= Microsoft.CodeAnalysis.DiagnosticSeverity.Warning && d.Id != "CS1591").ToList();
        Assert.True(diagnostics.Count == 0, string.Join("\n", diagnostics));
        Assert.Contains("public partial global::ModelGen.GraphLayer Layer0 => s_layers[5];", generated);
        Assert.Contains("public partial global::ModelGen.GraphLayer Layer1 => s_layers[10];", generated);
        Assert.DoesNotContain("FcA =>", generated);
    }

    [Fact]
    public void NestedBlocksJoinTheirTensorNames()
    {
        var spec = GeneratorHarness.Parse($$"""
            using ModelGen;
            {{PreNormBlock}}
            [ModelBlock]
            public interface ITwo
            {
                [Block(typeof(IPreNorm), Name = "0")] GraphLayer First { get; }
                [Block(typeof(IPreNorm), Name = "1")] GraphLayer Second { get; }
            }
            [Model(InputShape = new[] { 16 })]
            public partial class M
            {
                [Block(typeof(ITwo), Name = "layers")] public partial GraphLayer Body { get; }
                [Block(typeof(IPreNorm), Name = "")] public partial GraphLayer Last { get; }
            }
            """).Spec;

        Assert.Empty(ModelValidator.Validate(spec));
        Assert.Equal(15, spec.GraphLayers.Count);
        Assert.Equal(["layers.0.norm", "layers.0.residual", "layers.1.norm", "layers.1.residual", "norm", "residual"],
            new[] { 0, 4, 5, 9, 10, 14 }.Select(i => spec.GraphLayers[i].TensorName));
        // The second block's residual adds its own input: the first block's output.
        Assert.Equal(("Body.Second.Norm", "Body.First"), (spec.GraphLayers[5].Property.Name, spec.GraphLayers[9].Residual));
        Assert.Equal(("Body", "Body"), (spec.GraphLayers[9].Property.Name, spec.GraphLayers[10].Input));
    }

    [Fact]
    public void WeightPrecisionAppliesToWeightedLayersThatSetNone()
    {
        var spec = GeneratorHarness.Parse($$"""
            using ModelGen;
            {{PreNormBlock}}
            [Model(InputShape = new[] { 16 }, WeightPrecision = Precision.Int8)]
            public partial class M
            {
                [Block(typeof(IPreNorm))] public partial GraphLayer Body { get; }
                [Dense(16, 4, Precision = Precision.BFloat16)] public partial GraphLayer Out { get; }
            }
            """).Spec;

        Assert.Empty(ModelValidator.Validate(spec));
        Assert.Equal([LayerPrecision.Float32, LayerPrecision.Int8, LayerPrecision.Float32, LayerPrecision.Float16, LayerPrecision.Float32, LayerPrecision.BFloat16],
            spec.GraphLayers.Select(l => l.Precision));
        Assert.Equal("body.fc_a", spec.GraphLayers[1].TensorName);
    }

    [Theory]
    [InlineData("public partial class NotABlock { }", "typeof(NotABlock)", "Layer property 'Body' cannot use its block: 'NotABlock' is not an interface marked [ModelBlock]")]
    [InlineData("public interface IUnmarked { [Relu] GraphLayer R { get; } }", "typeof(IUnmarked)", "Layer property 'Body' cannot use its block: 'IUnmarked' is not an interface marked [ModelBlock]")]
    [InlineData("[ModelBlock] public interface IEmpty { }", "typeof(IEmpty)", "Layer property 'Body' cannot use its block: 'IEmpty' declares no layer properties")]
    [InlineData("[ModelBlock] public interface ISelf { [Relu] GraphLayer R { get; } [Block(typeof(ISelf))] GraphLayer Again { get; } }", "typeof(ISelf)",
        "Layer property 'Body' cannot use its block: blocks nest more than 8 deep at 'ISelf' (does a block use itself?)")]
    public void UnusableBlocksAreReportedAtTheUse(string declaration, string type, string message)
    {
        var problems = ModelValidator.Validate(GeneratorHarness.Parse($$"""
            using ModelGen;
            {{declaration}}
            [Model(InputShape = new[] { 16 })]
            public partial class M
            {
                [Block({{type}})] public partial GraphLayer Body { get; }
            }
            """).Spec);

        var problem = Assert.Single(problems, p => p.Rule == ModelRule.InvalidModelDeclaration);
        Assert.Equal(message, problem.MessageArgs[0]);
    }

    [Fact]
    public void AShapeMismatchInsideABlockNamesTheInsertedLayer()
    {
        var problem = Assert.Single(ModelValidator.Validate(GeneratorHarness.Parse($$"""
            using ModelGen;
            {{PreNormBlock}}
            [Model(InputShape = new[] { 20 })]
            public partial class M
            {
                [Block(typeof(IPreNorm))] public partial GraphLayer Body { get; }
            }
            """).Spec));

        Assert.Equal(ModelRule.GraphShapeMismatch, problem.Rule);
        Assert.Contains("'Body.Norm'", (string)problem.MessageArgs[0]!);
    }

    [Fact]
    public void WeightPrecisionOnADenseChainIsAProblem()
    {
        var problem = Assert.Single(ModelValidator.Validate(GeneratorHarness.Parse("""
            using ModelGen;
            [Model(WeightPrecision = Precision.Int8)]
            public partial class M
            {
                [Dense(4, 2)] public partial DenseLayer Out { get; }
            }
            """).Spec));

        Assert.Equal("WeightPrecision applies to graph models (InputShape set); on a chain of [Dense] layers set Precision on each layer", problem.MessageArgs[0]);
        Assert.Equal(ProblemTargetKind.WeightPrecision, problem.Target.Kind);
    }
}
