using ModelGen.Graph;
using ModelGen.IO;
using static ModelGen.Tests.Graph.GraphHarness;

namespace ModelGen.Tests.Graph;

public class GraphModelIOTests
{
    /// <summary>conv (+ folded bn) relu, standalone BatchNorm, depthwise int8 conv, LayerNorm over rows, int8 dense.</summary>
    private static BuiltPlan Small(Precision precision = Precision.Float32)
    {
        var b = new PlanBuilder(2, 5, 6);
        b.Conv("conv", 4, 3, padding: 1, precision: precision, batchNorm: "bn");
        b.Act(Activation.Relu);
        b.BatchNorm("bn_standalone");
        b.Conv("dw", 4, 3, padding: 1, groups: 4, precision: precision, bias: false);
        b.LayerNorm("norm");
        b.Dense("fc", 3, precision);
        return b.Build();
    }

    public static TheoryData<string> Plans() => new("cnn-int8", "resmlp-f16", "small-bf16", "small-int8", "small-f32");

    private static BuiltPlan Plan(string name) => name switch
    {
        "cnn-int8" => ReferenceModelTests.FashionCnn(Precision.Int8),
        "resmlp-f16" => ReferenceModelTests.FashionResMlp(Precision.Float16),
        "small-bf16" => Small(Precision.BFloat16),
        "small-int8" => Small(Precision.Int8),
        _ => Small(),
    };

    [Theory]
    [MemberData(nameof(Plans))]
    public void SaveThenLoadIsBitIdentical(string name)
    {
        BuiltPlan plan = Plan(name);
        using NativeBlock source = Load(plan, RandomSource(plan, 11));
        var saved = new MemoryStream();
        GraphModelIO.Save(saved, "model", plan.Layers, source);
        using NativeBlock reloaded = Load(plan, saved.ToArray());
        Assert.True(source.AsBytes().SequenceEqual(reloaded.AsBytes()), "weight blocks differ");

        float[] input = Kernels.KernelTestData.Uniform(new Random(12), 2 * plan.InputSize);
        float[] a = Run(plan, source, input, 2), b = Run(plan, reloaded, input, 2);
        Assert.Equal(a.Select(BitConverter.SingleToInt32Bits), b.Select(BitConverter.SingleToInt32Bits));

        using SafeTensorsFile file = SafeTensorsFile.Open(new MemoryStream(saved.ToArray()));
        Assert.Equal("modelgen", file.Metadata["format"]);
        Assert.Equal(GraphModelIO.GraphLayoutVersion, file.Metadata[GraphModelIO.GraphMarker]);
    }

    [Theory]
    [InlineData(SafeTensorsDType.F16)]
    [InlineData(SafeTensorsDType.BF16)]
    public void SixteenBitSourcesLoadAsTheirFloatValues(SafeTensorsDType dtype)
    {
        BuiltPlan plan = Small();
        List<SourceTensor> tensors = RandomTensors(plan, 13);
        // Rounded once to the 16-bit format: the F32 file of the rounded values must load to the same block.
        byte[] narrow = Write(tensors.Select(t => t.DType == SafeTensorsDType.F32 ? t with { DType = dtype } : t));
        using SafeTensorsFile file = SafeTensorsFile.Open(new MemoryStream(narrow));
        byte[] wide = Write(tensors.Select(t => t.DType == SafeTensorsDType.F32 ? t with { Values = file.ReadFloat32(t.Name) } : t));
        using NativeBlock a = Load(plan, narrow), b = Load(plan, wide);
        Assert.True(a.AsBytes().SequenceEqual(b.AsBytes()));
    }

    private static ModelFormatException Rejected(BuiltPlan plan, byte[] file, LoadOptions? options = null) =>
        Assert.Throws<ModelFormatException>(() => GraphModelIO.Load(new MemoryStream(file), "model", plan.Layers, plan.WeightBytes, options));

    private static byte[] Mutated(BuiltPlan plan, string tensor, Func<SourceTensor, SourceTensor?> change) =>
        Write(RandomTensors(plan, 14).Select(t => t.Name == tensor ? change(t) : t).OfType<SourceTensor>());

    [Fact]
    public void MissingTensorIsNamed()
    {
        BuiltPlan plan = Small();
        ModelFormatException e = Rejected(plan, Mutated(plan, "bn.running_var", _ => null));
        Assert.Contains("no tensor 'bn.running_var'", e.Message);
        Assert.Contains("[4]", e.Message);
    }

    [Fact]
    public void WrongShapeNamesExpectedAndActual()
    {
        BuiltPlan plan = Small();
        ModelFormatException e = Rejected(plan, Mutated(plan, "conv.weight", t => t with { Shape = [2, 4, 3, 3] }));
        Assert.Contains("'conv.weight' has shape [2, 4, 3, 3]", e.Message);
        Assert.Contains("expects [4, 2, 3, 3]", e.Message);
    }

    [Fact]
    public void WrongDTypeIsNamed()
    {
        BuiltPlan plan = Small();
        ModelFormatException e = Rejected(plan, Mutated(plan, "fc.bias", t => t with { DType = SafeTensorsDType.I32 }));
        Assert.Contains("'fc.bias' has dtype I32", e.Message);
        Assert.Contains("F32, F16 or BF16", e.Message);
    }

    [Theory]
    [InlineData("conv.weight", 5, "[0, 0, 1, 2]")]
    [InlineData("bn.running_mean", 3, "[3]")]
    [InlineData("norm.weight", 1, "[1]")]
    [InlineData("bn_standalone.bias", 0, "[0]")]
    public void NonFiniteValuesAreReportedWithTheirPosition(string tensor, int index, string position)
    {
        BuiltPlan plan = Small();
        foreach (float bad in new[] { float.NaN, float.PositiveInfinity })
        {
            ModelFormatException e = Rejected(plan, Mutated(plan, tensor, t => { float[] v = [.. t.Values]; v[index] = bad; return t with { Values = v }; }));
            Assert.Contains($"'{tensor}' holds {(float.IsNaN(bad) ? "NaN" : "+Inf")} at {position}", e.Message);
        }
    }

    [Theory]
    [InlineData("bn.running_var")]
    [InlineData("bn_standalone.running_var")]
    public void NegativeBatchNormVarianceIsRejected(string tensor)
    {
        BuiltPlan plan = Small();
        ModelFormatException e = Rejected(plan, Mutated(plan, tensor, t => { float[] v = [.. t.Values]; v[2] = -0.5f; return t with { Values = v }; }));
        Assert.Contains($"'{tensor}' holds -0.5 at [2]", e.Message);
        Assert.Contains("must not be negative", e.Message);
    }

    [Fact]
    public void TruncatedFileIsRejected()
    {
        BuiltPlan plan = Small();
        byte[] file = RandomSource(plan, 15);
        Rejected(plan, file[..(file.Length - 9)]);
        Rejected(plan, file[..40]);
    }

    [Fact]
    public void ExtraTensorsAreRejectedUnlessIgnored()
    {
        BuiltPlan plan = Small();
        byte[] file = Write([.. RandomTensors(plan, 16), new SourceTensor("head.weight", [2], [1, 2])]);
        Assert.Contains("'head.weight'", Rejected(plan, file).Message);
        GraphModelIO.Load(new MemoryStream(file), "model", plan.Layers, plan.WeightBytes, new LoadOptions { IgnoreExtraTensors = true }).Dispose();
    }

    [Fact]
    public void PackedFileWithTheWrongPrecisionIsRejected()
    {
        BuiltPlan int8 = Small(Precision.Int8), fp16 = Small(Precision.Float16);
        using NativeBlock weights = Load(int8, RandomSource(int8, 17));
        var saved = new MemoryStream();
        GraphModelIO.Save(saved, "model", int8.Layers, weights);
        ModelFormatException e = Rejected(fp16, saved.ToArray());
        Assert.Contains("'conv.weight' has dtype I8", e.Message);
        Assert.Contains("packs it as F16", e.Message);
    }

    [Fact]
    public void Fp16OverflowAfterFoldingIsRejected()
    {
        BuiltPlan plan = Small(Precision.Float16);
        ModelFormatException e = Rejected(plan, Mutated(plan, "fc.weight", t => { float[] v = [.. t.Values]; v[4] = 1e6f; return t with { Values = v }; }));
        Assert.Contains("'fc.weight'", e.Message);
        Assert.Contains("out of Float16's range", e.Message);
    }
}
