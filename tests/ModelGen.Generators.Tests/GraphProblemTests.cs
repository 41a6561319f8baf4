using ModelGen.Generators.Model;

namespace ModelGen.Generators.Tests;

/// <summary>Every graph model problem: its rule, message and target.</summary>
public sealed class GraphProblemTests
{
    private static ModelProblem Single(string body, string model = "InputShape = new[] { 1, 28, 28 }", string? type = "GraphLayer")
    {
        var source = $$"""
            using ModelGen;
            [Model({{model}})] public partial class M
            {
            {{body.Replace("GraphLayer", type)}}
            }
            """;
        var problems = ModelValidator.Validate(GeneratorHarness.Parse(source).Spec);
        return Assert.Single(problems);
    }

    private static void AssertProblem(ModelProblem problem, ModelRule rule, ProblemTargetKind kind, int layer, string message)
    {
        Assert.Equal(message, problem.MessageArgs[0]);
        Assert.Equal(rule, problem.Rule);
        Assert.Equal(kind, problem.Target.Kind);
        Assert.Equal(layer, problem.Target.LayerIndex);
    }

    [Fact]
    public void ConvChannelsMismatch()
    {
        var problem = Single("""
            [Conv2d(1, 32, 3)] public partial GraphLayer Conv1 { get; }
            [MaxPool2d(2)] public partial GraphLayer Pool1 { get; }
            [Conv2d(16, 8, 3)] public partial GraphLayer Conv2 { get; }
            """);

        AssertProblem(problem, ModelRule.GraphShapeMismatch, ProblemTargetKind.LayerAttribute, 2,
            "Layer 'Conv2' expects 16 input channels but 'Pool1' produces [32, 13, 13]");
        Assert.True(problem.Target.InGraph);
    }

    [Theory]
    [InlineData("[Dense(784, 10)] public partial GraphLayer Fc { get; }",
        "Layer 'Fc' expects a 1-D input of 784 features but the model input produces [1, 28, 28]: add a [Flatten] layer before it")]
    [InlineData("[Flatten] public partial GraphLayer F { get; } [Dense(700, 10)] public partial GraphLayer Fc { get; }",
        "Layer 'Fc' expects 700 input features but 'F' produces [784]")]
    [InlineData("[BatchNorm2d(3)] public partial GraphLayer Bn { get; }",
        "Layer 'Bn' normalizes 3 channels but the model input produces [1, 28, 28]")]
    [InlineData("[LayerNorm(10)] public partial GraphLayer Norm { get; }",
        "Layer 'Norm' normalizes the last 10 values but the model input produces [1, 28, 28]: Features must equal the last dimension")]
    [InlineData("[Conv2d(1, 4, 29)] public partial GraphLayer Conv { get; }",
        "Layer 'Conv' has a 29 x 29 window (padding 0, dilation 1) that does not fit the 28 x 28 planes the model input produces [1, 28, 28]")]
    [InlineData("[Conv2d(1, 4, 3)] public partial GraphLayer Conv { get; } [Add(\"input\")] public partial GraphLayer Sum { get; }",
        "Layer 'Sum' adds the model input [1, 28, 28] to 'Conv' [4, 26, 26]: both inputs must have the same shape")]
    [InlineData("[Flatten] public partial GraphLayer F { get; } [GlobalAvgPool] public partial GraphLayer Gap { get; }",
        "Layer 'Gap' pools [channels, height, width] planes but 'F' produces [784]")]
    public void ShapeMismatchesNameBothShapes(string body, string message)
    {
        var problem = Single(body);

        Assert.Equal(ModelRule.GraphShapeMismatch, problem.Rule);
        Assert.Equal(ProblemTargetKind.LayerAttribute, problem.Target.Kind);
        Assert.Equal(message, problem.MessageArgs[0]);
    }

    [Theory]
    [InlineData("[Relu(Input = \"Nope\")] public partial GraphLayer A { get; }", "Input",
        "Layer 'A' reads 'Nope', which is not a layer of 'M': name an earlier layer property (nameof(...)) or \"input\" for the model input")]
    [InlineData("[Relu(Input = nameof(B))] public partial GraphLayer A { get; } [Relu] public partial GraphLayer B { get; }", "Input",
        "Layer 'A' reads 'B', which is declared after it: a layer reads layers declared before it")]
    [InlineData("[Add(nameof(A))] public partial GraphLayer A { get; }", "Residual",
        "Layer 'A' adds itself: a layer reads layers declared before it")]
    [InlineData("[Flatten] public partial GraphLayer A { get; }", "LayerAttribute",
        "The output of 'M' is its input: the last layer 'A' is a view of the model input; end the model with a layer that computes")]
    public void WrongEdges(string body, string kind, string message)
    {
        AssertProblem(Single(body), ModelRule.GraphShapeMismatch, Enum.Parse<ProblemTargetKind>(kind), 0, message);
    }

    [Theory]
    [InlineData("InputShape = new int[0]", "InputShape has 0 dimensions; a graph model's input sample is [features] or [channels, height, width] (1 to 3 dimensions)")]
    [InlineData("InputShape = new[] { 1, 0, 28 }", "InputShape [1, 0, 28] has a dimension below 1; every dimension must be positive")]
    public void InputShapeOutOfRange(string model, string message)
    {
        AssertProblem(Single("[Relu] public partial GraphLayer A { get; }", model), ModelRule.AttributeValueOutOfRange, ProblemTargetKind.InputShape, -1, message);
    }

    [Theory]
    [InlineData("[Conv2d(1, 4, 3, Groups = 3)] public partial GraphLayer C { get; }", "Groups",
        "Groups (3) of layer 'C' must divide both its input channels (1) and its output channels (4)")]
    [InlineData("[Conv2d(1, 4, 0)] public partial GraphLayer C { get; }", "KernelSize",
        "KernelSize of layer 'C' is 0; it must be between 1 and 1,024")]
    [InlineData("[MaxPool2d(3, Padding = 2)] public partial GraphLayer P { get; }", "Padding",
        "Padding of layer 'P' is 2; it must be between 0 and half the kernel size (1)")]
    [InlineData("[BatchNorm2d(1, Epsilon = 0)] public partial GraphLayer B { get; }", "Epsilon",
        "Epsilon of layer 'B' must be a positive finite number")]
    [InlineData("[Conv2d(1, 4, 3, Precision = Precision.Int8, InputQuantization = (InputQuantization)7)] public partial GraphLayer C { get; }", "InputQuantization",
        "InputQuantization of layer 'C' is 7, which is not a defined ModelGen.InputQuantization value")]
    public void GeometryOutOfRange(string body, string kind, string message)
    {
        AssertProblem(Single(body), ModelRule.AttributeValueOutOfRange, Enum.Parse<ProblemTargetKind>(kind), 0, message);
    }

    [Theory]
    [InlineData("[Flatten] public partial GraphLayer F { get; } [Dense(784, 10, Precision = Precision.Int4)] public partial GraphLayer Fc { get; }", 1, "Precision",
        "Layer 'Fc' is Dense with Int4 weights; graph models store Dense weights as Float32, Float16, BFloat16 or Int8")]
    [InlineData("[Conv2d(1, 4, 3, Precision = Precision.Codebook16)] public partial GraphLayer C { get; }", 0, "Precision",
        "Layer 'C' is Conv2d with Codebook16 weights; graph models store Conv2d weights as Float32, Float16, BFloat16 or Int8")]
    [InlineData("[Flatten] public partial GraphLayer F { get; } [Dense(784, 10, Pruning = Pruning.TwoOfFour)] public partial GraphLayer Fc { get; }", 1, "Pruning",
        "Pruning on layer 'Fc' is not supported in graph models: their Dense layers take Precision Float32, Float16, BFloat16 or Int8 with no quantization or pruning option but InputQuantization")]
    [InlineData("[Flatten] public partial GraphLayer F { get; } [Dense(784, 10, InputQuantization = InputQuantization.Static)] public partial GraphLayer Fc { get; }", 1, "InputQuantization",
        "InputQuantization.Static on layer 'Fc' needs Precision.Int8 (its input is quantized to int8), not Float32")]
    [InlineData("[Conv2d(1, 4, 3, Precision = Precision.Float16, InputQuantization = InputQuantization.Static)] public partial GraphLayer C { get; }", 0, "InputQuantization",
        "InputQuantization.Static on layer 'C' needs Precision.Int8 (its input is quantized to int8), not Float16")]
    public void UnsupportedSchemes(string body, int layer, string kind, string message)
    {
        AssertProblem(Single(body), ModelRule.IncompatibleLayerOptions, Enum.Parse<ProblemTargetKind>(kind), layer, message);
    }

    [Fact]
    public void ActivationPrecisionInAGraphModel()
    {
        var problem = Single("[Relu] public partial GraphLayer A { get; }", "InputShape = new[] { 4 }, ActivationPrecision = Precision.Float16");

        AssertProblem(problem, ModelRule.IncompatibleLayerOptions, ProblemTargetKind.ActivationPrecision, -1,
            "ActivationPrecision applies to Dense-chain models; graph model 'M' stores its activations as Float32: remove ActivationPrecision");
    }

    [Fact]
    public void DenseLayerPropertyInAGraphModel()
    {
        var problem = Single("[Dense(4, 2)] public partial DenseLayer Fc { get; }", "InputShape = new[] { 4 }", "DenseLayer");

        AssertProblem(problem, ModelRule.InvalidModelDeclaration, ProblemTargetKind.LayerIdentifier, 0,
            "Layer property 'Fc' is a DenseLayer, but 'M' is a graph model (InputShape is set): declare it 'public partial GraphLayer Fc { get; }'");
    }

    [Fact]
    public void GraphAttributeOnADenseChain()
    {
        var source = """
            using ModelGen;
            [Model] public partial class M
            {
                [Dense(4, 4)] public partial DenseLayer A { get; }
                [Relu] public partial GraphLayer B { get; }
            }
            """;
        var problem = Assert.Single(ModelValidator.Validate(GeneratorHarness.Parse(source).Spec));

        AssertProblem(problem, ModelRule.InvalidModelDeclaration, ProblemTargetKind.LayerAttribute, 0,
            "[Relu] on 'B' needs a graph model: set [Model(InputShape = new[] { ... })] on 'M' and declare its layers as GraphLayer properties");
        Assert.True(problem.Target.InGraph);
    }

    [Fact]
    public void TwoLayerAttributesOnOneProperty()
    {
        var problem = Single("[Relu, Gelu] public partial GraphLayer A { get; }", "InputShape = new[] { 4 }");

        AssertProblem(problem, ModelRule.InvalidModelDeclaration, ProblemTargetKind.LayerIdentifier, 0,
            "Layer property 'A' has 2 layer attributes; a graph layer has exactly one");
    }

    [Fact]
    public void InvalidGraphModelGetsPlaceholderProperties()
    {
        var (run, output) = GeneratorHarness.Run("""
            using ModelGen;
            [Model(InputShape = new[] { 4 })] public partial class M
            {
                [Dense(5, 2)] public partial GraphLayer Fc { get; }
            }
            """);

        var generated = Assert.Single(Assert.Single(run.Results).GeneratedSources).SourceText.ToString();
        Assert.Contains("public partial global::ModelGen.GraphLayer Fc", generated);
        Assert.DoesNotContain(output.GetDiagnostics(TestContext.Current.CancellationToken), d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error);
    }
}
