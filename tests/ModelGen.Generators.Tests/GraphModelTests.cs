using ModelGen.Generators.Model;
using ModelGen.Generators.Model.Graph;

namespace ModelGen.Generators.Tests;

/// <summary>Graph models: parsing, shape inference, fusion, weight layout and the activation plan.</summary>
public sealed class GraphModelTests
{
    [Theory]
    [InlineData(nameof(GraphTestModels.FashionCnn))]
    [InlineData(nameof(GraphTestModels.ResMlp))]
    [InlineData(nameof(GraphTestModels.Int8Cnn))]
    [InlineData(nameof(GraphTestModels.StaticInt8Cnn))]
    public void RepresentativeGraphModelsAreValid(string model)
    {
        var spec = GeneratorHarness.Parse(TestModels.Source(model)).Spec;

        Assert.True(spec.IsGraph);
        Assert.False(spec.HasBindingErrors);
        Assert.Empty(spec.Layers);
        var problems = ModelValidator.Validate(spec);
        Assert.True(problems.IsEmpty, string.Join("\n", problems.Select(p => p.MessageArgs[0])));
    }

    [Fact]
    public void ParsesLayerAttributesWithTheRuntimeDefaults()
    {
        var spec = GeneratorHarness.Parse(GraphTestModels.Int8Cnn).Spec;

        Assert.Equal([3, 32, 32], spec.Options.InputShape!.Value.ToArray());
        Assert.Equal(16, spec.GraphLayers.Count);
        var stem = spec.GraphLayers[0];
        Assert.Equal((GraphLayerKind.Conv2d, 3, 16, 3, 2, 1, 1, 1, false, LayerPrecision.Int8, "features.0.0"),
            (stem.Kind, stem.In, stem.Out, stem.KernelSize, stem.Stride, stem.Padding, stem.Dilation, stem.Groups, stem.Bias, stem.Precision, stem.TensorName));
        var conv = new Conv2dAttribute(1, 1, 1);
        var dw = spec.GraphLayers[3];
        Assert.Equal(16, dw.Groups);
        Assert.Equal(conv.Dilation, dw.Dilation);
        var bn = spec.GraphLayers[1];
        Assert.Equal(new BatchNorm2dAttribute(16).Epsilon, bn.Epsilon);
        Assert.Equal((GraphLayerKind.Activation, LayerActivation.Relu6), (spec.GraphLayers[2].Kind, spec.GraphLayers[2].Activation));
        Assert.Equal("StemAct", spec.GraphLayers[8].Residual);
        Assert.Equal(new MaxPool2dAttribute(2).Stride, GeneratorHarness.Parse(GraphTestModels.FashionCnn).Spec.GraphLayers[3].Stride);
        Assert.True(spec.GraphLayers.All(l => l.Property.IsGraphLayer && l.AttributeCount == 1));
    }

    [Fact]
    public void LayerKindMirrorsTheRuntime()
    {
        foreach (var kind in Enum.GetValues<LayerKind>())
        {
            Assert.Equal(kind.ToString(), ((GraphLayerKind)(int)kind).ToString());
        }
    }

    [Fact]
    public void InfersShapesPerSample()
    {
        var spec = GeneratorHarness.Parse(GraphTestModels.FashionCnn).Spec;
        var shapes = GraphValidator.Resolve(spec, null);

        string[] expected = ["16,28,28", "16,28,28", "16,28,28", "16,14,14", "32,14,14", "32,14,14", "32,14,14", "32,7,7", "1568", "128", "128", "10"];
        Assert.Equal(expected, shapes.OutputShapes.Select(s => string.Join(",", s!)));
        Assert.Equal([-1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10], shapes.Sources);
        Assert.Equal(11, shapes.OutputLayer);

        var int8 = GraphValidator.Resolve(GeneratorHarness.Parse(GraphTestModels.Int8Cnn).Spec, null);
        Assert.Equal("16,16,16", string.Join(",", int8.OutputShapes[0]!));   // stride 2, padding 1
        Assert.Equal("16,8,8", string.Join(",", int8.OutputShapes[11]!));    // avg pool 2
        Assert.Equal("16,1,1", string.Join(",", int8.OutputShapes[12]!));    // global average pool
        Assert.Equal(2, int8.Sources2[8]);                                    // Add reads StemAct
        Assert.Equal(-2, int8.Sources2[7]);
    }

    [Fact]
    public void FashionCnnFoldsBatchNormAndFusesActivations()
    {
        var plan = PlanOf(GraphTestModels.FashionCnn);
        var layers = plan.Layers;

        Assert.Equal(("bn1", LayerActivation.Relu, -1), (layers[0].FoldedBatchNorm, layers[0].Activation, layers[0].ExecutedBy));
        Assert.Equal(0, layers[1].ExecutedBy);
        Assert.Equal(0, layers[2].ExecutedBy);
        Assert.Equal(("bn2", LayerActivation.Relu), (layers[4].FoldedBatchNorm, layers[4].Activation));
        Assert.Equal(7, layers[8].ExecutedBy);                 // flatten views pool2's output
        Assert.Equal(LayerActivation.Relu, layers[9].Activation);
        Assert.Equal(9, layers[10].ExecutedBy);
        Assert.Equal([0, 3, 4, 7, 9, 11], layers.Where(l => l.Executes).Select(l => l.Index));
        Assert.Equal(GraphLayerPlan.ModelOutput, layers[11].OutputOffset);
        Assert.Equal(GraphLayerPlan.ModelInput, layers[0].InputOffset);
        Assert.Equal(layers[7].OutputOffset, layers[9].InputOffset);   // through the view
        Assert.True(layers[0].BiasOffset >= 0 && !layers[0].HasBias);  // the folded BatchNorm's bias slot
    }

    [Fact]
    public void ResidualsKeepTheirProducersUnfusedAndAddWorksInPlace()
    {
        var plan = PlanOf(GraphTestModels.Int8Cnn);
        var layers = plan.Layers;

        // StemAct is read by Dw and by the Add: it fuses into the stem (its own input, StemBn, has one reader).
        Assert.Equal(("features.0.1", LayerActivation.Relu6), (layers[0].FoldedBatchNorm, layers[0].Activation));
        Assert.Equal(0, layers[2].ExecutedBy);
        Assert.Equal(layers[0].OutputOffset, layers[8].Input2Offset);
        // PwBn folds into Pw; the Add reads Pw's tensor last and may overwrite it.
        var add = plan.Tensors.Single(t => t.Id == 8);
        Assert.Equal(6, add.InPlaceOf);
        // A BatchNorm after an Add stays standalone (scale and shift), and the ReLU fuses into it.
        Assert.Equal((-1, LayerActivation.Relu), (layers[9].ExecutedBy, layers[9].Activation));
        Assert.True(layers[9].WeightOffset >= 0 && layers[9].BiasOffset >= 0);
        Assert.Equal(9, layers[10].ExecutedBy);
        Assert.Equal(8, plan.Tensors.Single(t => t.Id == 9).InPlaceOf);     // the BatchNorm overwrites the sum it reads last
        Assert.Equal(-1, plan.Tensors.Single(t => t.Id == 11).InPlaceOf);   // a pool changes the shape: never in place
        // Views resolve to the pool; the int8 head has per-sample row scratch.
        Assert.Equal([12, 12], new[] { layers[13].ExecutedBy, layers[14].ExecutedBy });
        var head = layers[15];
        Assert.Equal(64L + 64, head.RowScratchBytes);   // 16 sbytes aligned, then one fp32 scale
        Assert.Contains(plan.Tensors, t => t.Id == 16 + 15 && t.FirstStep == 15 && t.LastStep == 15);
        Assert.True(head.ScaleOffset >= 0);
    }

    [Theory]
    [InlineData(nameof(GraphTestModels.FashionCnn))]
    [InlineData(nameof(GraphTestModels.ResMlp))]
    [InlineData(nameof(GraphTestModels.Int8Cnn))]
    [InlineData(nameof(GraphTestModels.StaticInt8Cnn))]
    public void OffsetsAreThePlannersPlacementsAndFixedScratchIsTheLargestNeed(string model)
    {
        var plan = PlanOf(TestModels.Source(model));
        var layout = ActivationPlanner.Plan(plan.Tensors.ToList());
        var offsets = layout.Placements.ToDictionary(p => p.Id, p => p.Offset);

        foreach (var layer in plan.Layers.Where(l => l.Executes))
        {
            Assert.Equal(layer.OutputOffset == GraphLayerPlan.ModelOutput ? GraphLayerPlan.ModelOutput : offsets[layer.Index], layer.OutputOffset);
            Assert.True(layer.InputOffset == GraphLayerPlan.ModelInput || offsets.ContainsValue(layer.InputOffset));
            Assert.True(layer.InputOffset % 64 == 0 || layer.InputOffset < 0);
        }

        Assert.Equal(plan.Layers.Select(l => l.ScratchBytes).Max(), plan.FixedScratchBytes);
        Assert.Equal(layout.PeakBytes, plan.PeakBytesPerSample);
        Assert.Equal(plan.FixedScratchBytes + (plan.PeakBytesPerSample * plan.MaxBatch), plan.ActivationBlockBytes);
        Assert.Equal(plan.Memory.Sum(m => m.Bytes), plan.WeightBytes);
        Assert.True(plan.WeightBlockBytes >= plan.WeightBytes && plan.WeightBlockBytes % 64 == 0);
    }

    [Fact]
    public void WeightLayoutAlignsEachTensorAtItsPrecision()
    {
        var plan = PlanOf(GraphTestModels.Int8Cnn);
        var stem = plan.Layers[0];
        var dw = plan.Layers[3];
        var pw = plan.Layers[6];

        Assert.Equal((0L, 448L, 512L), (stem.WeightOffset, stem.ScaleOffset, stem.BiasOffset));  // 16x27 int8, 16 fp32 scales, folded bias
        Assert.Equal(576L, dw.WeightOffset);                                                   // 16x9 int8
        Assert.Equal(pw.WeightOffset + 512, pw.BiasOffset);                                    // 16x16 bf16
        var stemMemory = plan.Memory[0];
        Assert.Equal((432L + 64 + 64, 1728L + 64, "Int8, features.0.1 folded"), (stemMemory.Bytes, stemMemory.Float32Bytes, stemMemory.Storage));
        Assert.Equal(plan.Memory.Sum(m => m.Float32Bytes), plan.Float32WeightBytes);
    }

    [Fact]
    public void StaticInputsCarryTheirFlagAndAScaleAfterTheBias()
    {
        var plan = PlanOf(GraphTestModels.StaticInt8Cnn);
        var stem = plan.Layers[0];
        var body = plan.Layers[2];
        var head = plan.Layers[6];

        Assert.All(new[] { stem, body, head }, l => Assert.Equal(LayerInputQuantization.Static, l.InputQuantization));
        Assert.Equal(LayerInputQuantization.Dynamic, plan.Layers[1].InputQuantization);
        Assert.Equal((0L, 448L, 512L, 576L), (stem.WeightOffset, stem.ScaleOffset, stem.BiasOffset, stem.InputScaleOffset)); // 16x27 int8, scales, bias, one fp32
        Assert.Equal((640L, 5248L, 5376L, 5504L), (body.WeightOffset, body.ScaleOffset, body.BiasOffset, body.InputScaleOffset)); // 32x144 int8
        Assert.Equal(head.BiasOffset + 64, head.InputScaleOffset);
        Assert.Equal(GraphLayerPlan.None, plan.Layers[1].InputScaleOffset);
        // K 27 is below the int8 GEMM's shortest rows: the stem runs widened to fp32 and says its scale is unused.
        Assert.Equal((432L + 64 + 64 + 4, "Int8, static input scale unused (runs widened to fp32)"), (plan.Memory[0].Bytes, plan.Memory[0].Storage));
        Assert.Equal("Int8, static input", plan.Memory[1].Storage);
        Assert.Equal(plan.Memory.Sum(m => m.Bytes), plan.WeightBytes);
    }

    [Fact]
    public void ModelPlanCarriesTheGraphNumbersForTheMemoryRules()
    {
        var spec = GeneratorHarness.Parse(GraphTestModels.ResMlp).Spec;
        var plan = ModelPlanner.Plan(spec);

        Assert.NotNull(plan.Graph);
        Assert.Equal(plan.Graph.ActivationBlockBytes, plan.Activations.BlockBytes);
        Assert.Equal(plan.Graph.WeightBlockBytes + plan.Graph.ActivationBlockBytes, plan.TotalBytes);
        Assert.Equal(4L << 20, plan.MemoryBudgetBytes);
        // LayerNorm: gamma and beta; the Add reads the first Dense's tensor as its residual.
        Assert.Equal(2 * 4 * 256, plan.Graph.Memory.Single(m => m.Name == "norm").Bytes);
        Assert.Equal(plan.Graph.Layers[0].OutputOffset, plan.Graph.Layers[5].Input2Offset);
        Assert.Equal(LayerActivation.Gelu, plan.Graph.Layers[2].Activation);
    }

    [Fact]
    public void PlanIsEquatableAcrossParses()
    {
        var first = ModelPlanner.Plan(GeneratorHarness.Parse(GraphTestModels.Int8Cnn).Spec);
        var second = ModelPlanner.Plan(GeneratorHarness.Parse(GraphTestModels.Int8Cnn).Spec);

        Assert.Equal(first, second);
        Assert.Equal(GeneratorHarness.Parse(GraphTestModels.Int8Cnn).Spec, GeneratorHarness.Parse(GraphTestModels.Int8Cnn).Spec);
    }

    [Fact]
    public void MobileNetV2SizedGraphPlansAndCompiles()
    {
        var source = MobileNetV2Like();
        var spec = GeneratorHarness.Parse(source).Spec;
        var problems = ModelValidator.Validate(spec);
        Assert.True(problems.IsEmpty, string.Join("\n", problems.Select(p => p.MessageArgs[0])));

        var (run, output) = GeneratorHarness.Run(source);
        Assert.Single(Assert.Single(run.Results).GeneratedSources);
        var diagnostics = output.GetDiagnostics(TestContext.Current.CancellationToken).Where(d => d.Severity >= Microsoft.CodeAnalysis.DiagnosticSeverity.Warning && d.Id != "CS1591").ToList();
        Assert.True(diagnostics.Count == 0, string.Join("\n", diagnostics));
        var plan = ModelPlanner.Plan(spec).Graph!;
        Assert.Equal([1000], plan.OutputShape.ToArray());
        Assert.True(plan.Layers.Count > 100);
    }

    // Inverted residual blocks at 224 x 224 (MobileNetV2's layer list and widths), written as a torchvision export would.
    internal static string MobileNetV2Like()
    {
        var sb = new System.Text.StringBuilder();
        sb.AppendLine("using ModelGen;\nnamespace Demo;\n[Model(InputShape = new[] { 3, 224, 224 }, MaxBatch = 4)]\npublic partial class MobileNetV2\n{");
        var n = 0;
        string Layer(string attribute) { var name = $"L{n++}"; sb.AppendLine($"    [{attribute}] public partial GraphLayer {name} {{ get; }}"); return name; }
        Layer("Conv2d(3, 32, 3, Stride = 2, Padding = 1, Bias = false)"); Layer("BatchNorm2d(32)"); var last = Layer("Relu6");
        var channels = 32;
        foreach (var (t, c, repeats, s) in new[] { (1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1) })
        {
            for (var r = 0; r < repeats; r++)
            {
                var stride = r == 0 ? s : 1;
                var hidden = channels * t;
                var input = last;
                if (t != 1) { Layer($"Conv2d({channels}, {hidden}, 1, Bias = false)"); Layer($"BatchNorm2d({hidden})"); Layer("Relu6"); }
                Layer($"Conv2d({hidden}, {hidden}, 3, Stride = {stride}, Padding = 1, Groups = {hidden}, Bias = false)"); Layer($"BatchNorm2d({hidden})"); Layer("Relu6");
                Layer($"Conv2d({hidden}, {c}, 1, Bias = false)"); last = Layer($"BatchNorm2d({c})");
                if (stride == 1 && channels == c) { last = Layer($"Add(nameof({input}))"); }
                channels = c;
            }
        }

        Layer("Conv2d(320, 1280, 1, Bias = false, Precision = Precision.Int8)"); Layer("BatchNorm2d(1280)"); Layer("Relu6");
        Layer("GlobalAvgPool"); Layer("Flatten"); Layer("Dropout(0.2)"); Layer("Dense(1280, 1000, Precision = Precision.Int8)");
        sb.AppendLine("}");
        return sb.ToString();
    }

    private static GraphModelPlan PlanOf(string source) => GraphPlanner.Plan(GeneratorHarness.Parse(source).Spec);
}
