using System.Reflection;
using ModelGen.Generators.Model;

namespace ModelGen.Generators.Tests;

/// <summary>
/// The planner's numbers are the runtime's: weight offsets and sizes through the runtime's own <see cref="DenseLayout"/>,
/// the activation plan through an independent reading of the rule.
/// </summary>
public sealed class PlannerTests
{
    private static readonly Precision[] s_precisions = [Precision.Float32, Precision.Float16, Precision.BFloat16, Precision.Int8];

    [Fact]
    public void RandomModelsPlanLikeTheRuntimeLayout()
    {
        var random = new Random(20251129);
        for (var trial = 0; trial < 500; trial++)
        {
            var model = RandomModel(random);
            var plan = ModelPlanner.Plan(ToSpec(model));
            var expected = Reference(model);

            for (var i = 0; i < model.Layers.Length; i++)
            {
                Assert.Equal(expected.Layers[i], (plan.Layers[i].WeightOffset, plan.Layers[i].ScaleOffset, plan.Layers[i].BiasOffset, plan.Layers[i].Bytes, plan.Layers[i].Float32Bytes));
            }

            Assert.Equal(expected.WeightBlockBytes, plan.WeightBlockBytes);
            Assert.Equal(expected.WeightBytes, plan.WeightBytes);
            Assert.Equal(expected.Float32WeightBytes, plan.Float32WeightBytes);
            Assert.Equal(expected.ActivationBlockBytes, plan.Activations.BlockBytes);
            Assert.Equal(expected.ActivationBytesPerSample, plan.Activations.BytesPerSample);
            Assert.Equal(expected.BufferOffsets, (plan.Activations.BufferAOffset, plan.Activations.BufferBOffset, plan.Activations.QuantizedInputOffset, plan.Activations.RowScalesOffset));
        }
    }

    [Fact]
    public void GeneratedConstantsAndLayersMatchTheRuntime()
    {
        var random = new Random(7);
        var models = Enumerable.Range(0, 12).Select(_ => RandomModel(random)).ToArray();
        var source = "using ModelGen;\nnamespace Planned;\n" + string.Concat(models.Select((m, i) => ModelSource($"M{i}", m)));
        var (_, output) = GeneratorHarness.Run(source);
        using var image = new MemoryStream();
        var emitted = output.Emit(image, cancellationToken: TestContext.Current.CancellationToken);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics));
        var assembly = Assembly.Load(image.ToArray());

        for (var i = 0; i < models.Length; i++)
        {
            var type = assembly.GetType($"Planned.M{i}")!;
            var expected = Reference(models[i]);
            var layers = (IReadOnlyList<DenseLayer>)type.GetProperty("Layers")!.GetValue(null)!;
            for (var j = 0; j < layers.Count; j++)
            {
                var layer = layers[j];
                Assert.Equal(expected.Layers[j], ((long)layer.WeightOffset, (long)layer.ScaleOffset, (long)layer.BiasOffset, layer.Bytes, layer.Float32Bytes));
            }

            Assert.Equal(expected.WeightBlockBytes, Constant(type, "WeightBlockBytes"));
            Assert.Equal(expected.ActivationBlockBytes, Constant(type, "ActivationBlockBytes"));
            Assert.Equal(expected.ActivationBytesPerSample, Constant(type, "ActivationBytesPerSample"));
            var memory = (ModelMemoryReport)type.GetProperty("Memory")!.GetValue(null)!;
            Assert.Equal(expected.WeightBytes, memory.WeightBytes);
            Assert.Equal(expected.Float32WeightBytes, memory.Float32WeightBytes);
            Assert.Equal(Constant(type, "WeightBytes"), memory.WeightBytes);
            Assert.Equal(Constant(type, "TotalBytes"), memory.TotalBytes);
        }
    }

    [Fact]
    public void FashionMlpPlanMatchesHandArithmetic()
    {
        var plan = ModelPlanner.Plan(GeneratorHarness.Parse(TestModels.FashionMlp).Spec);

        // Hidden: int8 784x256 = 200,704 bytes, scales 1,024, bias 1,024; Output: fp32 256x10 = 10,240, bias 40.
        Assert.Equal((0L, 200704L, 201728L), (plan.Layers[0].WeightOffset, plan.Layers[0].ScaleOffset, plan.Layers[0].BiasOffset));
        Assert.Equal((202752L, -1L, 212992L), (plan.Layers[1].WeightOffset, plan.Layers[1].ScaleOffset, plan.Layers[1].BiasOffset));
        Assert.Equal(213056, plan.WeightBlockBytes);
        // A = 64 x 256 fp32 = 65,536; Q = 64 x 784 int8 = 50,176; S = 64 fp32 = 256.
        Assert.Equal((0L, -1L, 65536L, 115712L), (plan.Activations.BufferAOffset, plan.Activations.BufferBOffset, plan.Activations.QuantizedInputOffset, plan.Activations.RowScalesOffset));
        Assert.Equal(115968, plan.Activations.BlockBytes);
        Assert.Equal((4 * 256) + 784 + 4, plan.Activations.BytesPerSample);
        Assert.Equal(4L << 20, plan.MemoryBudgetBytes);
    }

    [Fact]
    public void TinyModelsStillGetOneAlignmentUnitPerBlock()
    {
        var plan = ModelPlanner.Plan(Specs.Model(1, Specs.Layer(1, 1, bias: false)));

        Assert.Equal(64, plan.WeightBlockBytes);
        Assert.Equal(64, plan.Activations.BlockBytes);
        Assert.Equal(0, plan.Activations.BytesPerSample);
    }

    private static long Constant(Type type, string name) => Convert.ToInt64(type.GetField(name)!.GetRawConstantValue());

    private sealed record RandomLayer(int InFeatures, int OutFeatures, Precision Precision, bool Bias);

    private sealed record RandomModelShape(int MaxBatch, RandomLayer[] Layers);

    private sealed record Expected(
        (long Weight, long Scale, long Bias, long Bytes, long Float32Bytes)[] Layers,
        long WeightBlockBytes,
        long WeightBytes,
        long Float32WeightBytes,
        long ActivationBlockBytes,
        long ActivationBytesPerSample,
        (long A, long B, long Q, long S) BufferOffsets);

    private static RandomModelShape RandomModel(Random random)
    {
        var widths = Enumerable.Range(0, random.Next(2, 8)).Select(_ => random.Next(1, 1500)).ToArray();
        var layers = Enumerable.Range(0, widths.Length - 1)
            .Select(i => new RandomLayer(widths[i], widths[i + 1], s_precisions[random.Next(s_precisions.Length)], random.Next(2) == 0))
            .ToArray();
        return new RandomModelShape(random.Next(1, 300), layers);
    }

    private static ModelSpec ToSpec(RandomModelShape model) => Specs.Model(
        model.MaxBatch,
        model.Layers.Select(l => Specs.Layer(l.InFeatures, l.OutFeatures, (LayerPrecision)(int)l.Precision, l.Bias)).ToArray());

    private static string ModelSource(string name, RandomModelShape model) =>
        $"[Model(MaxBatch = {model.MaxBatch})] public sealed partial class {name} {{\n" +
        string.Concat(model.Layers.Select((l, i) =>
            $"  [Dense({l.InFeatures}, {l.OutFeatures}, Precision = Precision.{l.Precision}, Bias = {(l.Bias ? "true" : "false")})] public partial DenseLayer L{i} {{ get; }}\n")) +
        "}\n";

    // The rule as the runtime states it, computed with the runtime's own layout helpers.
    private static Expected Reference(RandomModelShape model)
    {
        long cursor = 0;
        var layers = new List<(long, long, long, long, long)>();
        foreach (var l in model.Layers)
        {
            var weight = DenseLayout.Align(cursor);
            cursor = weight + DenseLayout.WeightMatrixBytes(l.InFeatures, l.OutFeatures, l.Precision);
            var scale = -1L;
            if (l.Precision == Precision.Int8)
            {
                scale = DenseLayout.Align(cursor);
                cursor = scale + (4L * l.OutFeatures);
            }

            var bias = -1L;
            if (l.Bias)
            {
                bias = DenseLayout.Align(cursor);
                cursor = bias + (4L * l.OutFeatures);
            }

            layers.Add((weight, scale, bias,
                DenseLayout.LayerBytes(l.InFeatures, l.OutFeatures, l.Precision, l.Bias),
                DenseLayout.LayerBytes(l.InFeatures, l.OutFeatures, Precision.Float32, l.Bias)));
        }

        var intermediates = model.Layers.Take(model.Layers.Length - 1).Select(l => l.OutFeatures).ToArray();
        var maxEven = intermediates.Where((_, i) => i % 2 == 0).DefaultIfEmpty(0).Max();
        var maxOdd = intermediates.Where((_, i) => i % 2 == 1).DefaultIfEmpty(0).Max();
        var int8Inputs = model.Layers.Where(l => l.Precision == Precision.Int8).Select(l => l.InFeatures).ToArray();
        long end = 0;
        long a = -1, b = -1, q = -1, s = -1;
        if (maxEven > 0)
        {
            a = 0;
            end = (long)model.MaxBatch * 4 * maxEven;
        }

        if (maxOdd > 0)
        {
            b = DenseLayout.Align(end);
            end = b + ((long)model.MaxBatch * 4 * maxOdd);
        }

        if (int8Inputs.Length > 0)
        {
            q = DenseLayout.Align(end);
            end = q + ((long)model.MaxBatch * int8Inputs.Max());
            s = DenseLayout.Align(end);
            end = s + ((long)model.MaxBatch * 4);
        }

        var perSample = (4L * maxEven) + (4L * maxOdd) + (int8Inputs.Length > 0 ? int8Inputs.Max() + 4 : 0);
        return new Expected(
            layers.ToArray(),
            Math.Max(DenseLayout.Align(cursor), DenseLayout.Alignment),
            layers.Sum(l => l.Item4),
            layers.Sum(l => l.Item5),
            Math.Max(DenseLayout.Align(end), DenseLayout.Alignment),
            perSample,
            (a, b, q, s));
    }
}
