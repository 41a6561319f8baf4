using ModelGen.Generators.Model;

namespace ModelGen.Generators.Tests;

/// <summary>What the parser reads, and that its build-time mirrors of runtime facts agree with the runtime.</summary>
public sealed class ParserTests
{
    [Fact]
    public void OmittedArgumentsTakeTheRuntimeAttributeDefaults()
    {
        var spec = GeneratorHarness.Parse("""
            using ModelGen;
            [Model] public partial class M { [Dense(3, 4)] public partial DenseLayer A { get; } }
            """).Spec;

        var model = new ModelAttribute();
        var dense = new DenseAttribute(3, 4);
        var layer = Assert.Single(spec.Layers);
        Assert.Equal(model.MaxBatch, spec.Options.MaxBatch);
        Assert.Equal(model.MemoryBudget, spec.Options.MemoryBudget);
        Assert.Equal(model.Softmax, spec.Options.Softmax);
        Assert.Equal(dense.Bias, layer.Bias);
        Assert.Equal((int)dense.Activation, (int)layer.Activation);
        Assert.Equal((int)dense.Precision, (int)layer.Precision);
        Assert.Equal(dense.Name, layer.Name);
        Assert.Equal(LayerScheme.Plain, layer.Scheme);
        Assert.Equal(dense.GroupSize, layer.Scheme.EffectiveGroupSize);
        Assert.Equal((int)dense.Pruning, (int)layer.Scheme.Pruning);
        Assert.Equal(dense.KeepOutputs, layer.Scheme.KeepOutputs);
        Assert.Equal((int)dense.ChannelNorm, (int)layer.Scheme.ChannelNorm);
        Assert.Equal((int)dense.InputQuantization, (int)layer.Scheme.InputQuantization);
    }

    [Fact]
    public void ReadsTheSchemeArguments()
    {
        var spec = GeneratorHarness.Parse("""
            using ModelGen;
            [Model] public partial class M
            {
                [Dense(256, 128, Precision = Precision.Int4, GroupSize = 64, KeepOutputs = 100, ChannelNorm = ChannelNorm.L1)] public partial DenseLayer A { get; }
                [Dense(128, 10, Precision = Precision.Int8, Pruning = Pruning.Magnitude, Sparsity = 0.8, InputQuantization = InputQuantization.Static)] public partial DenseLayer B { get; }
            }
            """).Spec;

        Assert.Equal(new LayerScheme(64, LayerPruning.None, null, 100, LayerChannelNorm.L1, LayerInputQuantization.Dynamic), spec.Layers[0].Scheme);
        Assert.Equal(100, spec.Layers[0].KeptOutFeatures);
        Assert.Equal(new LayerScheme(null, LayerPruning.Magnitude, 0.8, 0, LayerChannelNorm.L2, LayerInputQuantization.Static), spec.Layers[1].Scheme);
    }

    [Fact]
    public void MirrorEnumsMatchTheRuntime()
    {
        AssertSameMembers<Precision, LayerPrecision>();
        AssertSameMembers<Activation, LayerActivation>();
        AssertSameMembers<Pruning, LayerPruning>();
        AssertSameMembers<InputQuantization, LayerInputQuantization>();
        AssertSameMembers<ChannelNorm, LayerChannelNorm>();
        AssertSameMembers<SparseStorage, LayerSparseStorage>();
    }

    [Fact]
    public void ReadsEveryArgumentAndTheDeclarationAround()
    {
        var spec = GeneratorHarness.Parse(TestModels.NestedWithBudget).Spec;

        Assert.Equal("Company.Vision", spec.Namespace);
        Assert.Equal(["Zoo", "Holder"], spec.ContainingTypes.Select(t => t.Name));
        Assert.Equal(["public static partial class", "internal partial struct"], spec.ContainingTypes.Select(t => $"{t.Modifiers} {t.Keyword}"));
        Assert.Equal(new ModelOptionsSpec(true, 8, "1.5 MiB", false), spec.Options);
        Assert.Equal(["fc_a", "layer2_out", "widen", "class"], spec.Layers.Select(l => l.TensorName));
        Assert.Equal(["public partial", "protected internal partial", "public partial", "private partial"], spec.Layers.Select(l => l.Property.Modifiers));
        var first = spec.Layers[0];
        Assert.Equal((64, 48, LayerActivation.Relu6, LayerPrecision.Int8, true), (first.InFeatures, first.OutFeatures, first.Activation, first.Precision, first.Bias));
    }

    [Fact]
    public void NamedConstructorArgumentsInAnyOrderAreRead()
    {
        var layer = GeneratorHarness.Parse("""
            using ModelGen;
            [Model] public partial class M { [Dense(outFeatures: 5, inFeatures: 9)] public partial DenseLayer A { get; } }
            """).Spec.Layers.Single();

        Assert.Equal((9, 5), (layer.InFeatures, layer.OutFeatures));
    }

    [Fact]
    public void SpecsOfTheSameSourceAreEqual()
    {
        Assert.Equal(GeneratorHarness.Parse(TestModels.MixedPrecisionSoftmax).Spec, GeneratorHarness.Parse(TestModels.MixedPrecisionSoftmax).Spec);
        Assert.NotEqual(GeneratorHarness.Parse(TestModels.MixedPrecisionSoftmax).Spec, GeneratorHarness.Parse(TestModels.Float32TwoLayer).Spec);
    }

    private static void AssertSameMembers<TRuntime, TMirror>()
        where TRuntime : struct, Enum
        where TMirror : struct, Enum
    {
        var runtime = Enum.GetValues<TRuntime>().Select(v => (v.ToString(), Convert.ToInt32(v)));
        var mirror = Enum.GetValues<TMirror>().Select(v => (v.ToString(), Convert.ToInt32(v)));
        Assert.Equal(runtime, mirror);
    }
}
