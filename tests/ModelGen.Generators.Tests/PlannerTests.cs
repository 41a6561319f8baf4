using System.Reflection;
using ModelGen.Kernels;
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
                var p = plan.Layers[i];
                Assert.Equal(expected.Layers[i], (p.WeightOffset, p.ScaleOffset, p.BiasOffset, p.Bytes, p.Float32Bytes));
                Assert.Equal(expected.Offsets[i], new[] { p.StructureOffset, p.MinOffset, p.CodebookOffset, p.InputScaleOffset });
            }

            Assert.Equal(expected.WeightBlockBytes, plan.WeightBlockBytes);
            Assert.Equal(expected.WeightBytes, plan.WeightBytes);
            Assert.Equal(expected.Float32WeightBytes, plan.Float32WeightBytes);
            Assert.Equal(expected.ActivationBlockBytes, plan.Activations.BlockBytes);
            Assert.Equal(expected.ActivationBytesPerSample, plan.Activations.BytesPerSample);
            Assert.Equal(expected.BufferOffsets, (plan.Activations.BufferAOffset, plan.Activations.BufferBOffset, plan.Activations.QuantizedInputOffset, plan.Activations.RowScalesOffset));
            Assert.Equal(expected.Staged, (plan.Activations.StagedInputOffset, plan.Activations.StagedOutputOffset));
        }
    }

    [Fact]
    public void GeneratedConstantsAndLayersMatchTheRuntime()
    {
        var random = new Random(7);
        var models = Enumerable.Range(0, 24).Select(_ => RandomModel(random)).ToArray();
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
                Assert.Equal(expected.Offsets[j], new long[] { layer.StructureOffset, layer.MinOffset, layer.CodebookOffset, layer.InputScaleOffset });
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

    private sealed record RandomLayer(int InFeatures, int OutFeatures, Precision Precision, bool Bias, int GroupSize = 0,
        Pruning Pruning = Pruning.None, double Sparsity = 0, int KeepOutputs = 0, InputQuantization Input = InputQuantization.Dynamic,
        SparseStorage Storage = SparseStorage.Auto);

    private sealed record RandomModelShape(int MaxBatch, RandomLayer[] Layers, Precision Activations = Precision.Float32)
    {
        public bool Half => Activations != Precision.Float32 && Layers.Length > 1;
    }

    private sealed record Expected(
        (long Weight, long Scale, long Bias, long Bytes, long Float32Bytes)[] Layers,
        long[][] Offsets,
        long WeightBlockBytes,
        long WeightBytes,
        long Float32WeightBytes,
        long ActivationBlockBytes,
        long ActivationBytesPerSample,
        (long A, long B, long Q, long S) BufferOffsets,
        (long Input, long Output) Staged);

    // Widths, precisions and every scheme the validator accepts: int4 groups (padded rows when they do not divide the width), pruning of fp32 and
    // int8, static int8 inputs, channel pruning of hidden layers.
    private static RandomModelShape RandomModel(Random random)
    {
        // Up to 3000 wide so some fp32 layers reach the cost rule's 8 MiB streaming threshold.
        var widths = Enumerable.Range(0, random.Next(2, 8)).Select(_ => random.Next(1, random.Next(2) == 0 ? 1500 : 3000)).ToArray();
        var layers = new RandomLayer[widths.Length - 1];
        for (var i = 0; i < layers.Length; i++)
        {
            int k = widths[i], n = widths[i + 1];
            var layer = new RandomLayer(k, n, s_precisions[random.Next(s_precisions.Length)], random.Next(2) == 0);
            switch (random.Next(6))
            {
                case 0:
                    int[] groups = [32, 64, 128];
                    layer = layer with { Precision = random.Next(2) == 0 ? Precision.Int4 : Precision.Int4Asymmetric, GroupSize = groups[random.Next(groups.Length)] };
                    break;
                case 1:
                    layer = layer with { Precision = random.Next(2) == 0 ? Precision.Codebook16 : Precision.Codebook256 };
                    break;
                case 2:
                    layer = layer with { Precision = random.Next(2) == 0 ? Precision.Float32 : Precision.Int8, Pruning = Pruning.Magnitude, Sparsity = random.Next(1, 20) / 20.0, Storage = (SparseStorage)random.Next(3) };
                    break;
                case 3:
                    layer = layer with { Precision = random.Next(2) == 0 ? Precision.Float32 : Precision.Int8, Pruning = Pruning.TwoOfFour };
                    break;
                case 4:
                    layer = layer with { Precision = Precision.Int8, Input = InputQuantization.Static };
                    break;
            }

            if (i < layers.Length - 1 && random.Next(4) == 0)
            {
                layer = layer with { KeepOutputs = random.Next(1, n + 1) };
            }

            layers[i] = layer;
        }

        Precision[] storage = [Precision.Float32, Precision.Float32, Precision.BFloat16, Precision.Float16];
        return new RandomModelShape(random.Next(1, 300), layers, storage[random.Next(storage.Length)]);
    }

    private static ModelSpec ToSpec(RandomModelShape model) => Specs.Model(
        model.MaxBatch,
        (LayerPrecision)(int)model.Activations,
        model.Layers.Select(l => Specs.Layer(l.InFeatures, l.OutFeatures, (LayerPrecision)(int)l.Precision, l.Bias, scheme: new LayerScheme(
            l.GroupSize == 0 ? null : l.GroupSize, (LayerPruning)(int)l.Pruning, l.Pruning == Pruning.Magnitude ? l.Sparsity : null,
            l.KeepOutputs, LayerChannelNorm.L2, (LayerInputQuantization)(int)l.Input,
            l.Storage == SparseStorage.Auto ? null : (LayerSparseStorage)(int)l.Storage))).ToArray());

    private static string ModelSource(string name, RandomModelShape model) =>
        $"[Model(MaxBatch = {model.MaxBatch}, ActivationPrecision = Precision.{model.Activations})] public sealed partial class {name} {{\n" +
        string.Concat(model.Layers.Select((l, i) =>
            $"  [Dense({l.InFeatures}, {l.OutFeatures}, Precision = Precision.{l.Precision}, Bias = {(l.Bias ? "true" : "false")}{SchemeArguments(l)})] public partial DenseLayer L{i} {{ get; }}\n")) +
        "}\n";

    private static string SchemeArguments(RandomLayer l) =>
        (l.GroupSize > 0 ? $", GroupSize = {l.GroupSize}" : "")
        + (l.Pruning != Pruning.None ? $", Pruning = Pruning.{l.Pruning}" : "")
        + (l.Pruning == Pruning.Magnitude ? FormattableString.Invariant($", Sparsity = {l.Sparsity:R}") : "")
        + (l.Storage != SparseStorage.Auto ? $", SparseStorage = SparseStorage.{l.Storage}" : "")
        + (l.KeepOutputs > 0 ? $", KeepOutputs = {l.KeepOutputs}" : "")
        + (l.Input == InputQuantization.Static ? ", InputQuantization = InputQuantization.Static" : "");

    // The runtime's layout rule applied with its own helpers: the tensors DenseLayout lists for each layer, each placed
    // at the next 64-byte boundary; the activation rule read independently.
    private static Expected Reference(RandomModelShape model)
    {
        long cursor = 0;
        var layers = new List<(long, long, long, long, long)>();
        var offsets = new List<long[]>();
        var previousKept = model.Layers[0].InFeatures;
        foreach (var l in model.Layers)
        {
            var runtime = RuntimeLayer(l, previousKept, 0, -1, -1);
            var placed = new List<long>();
            foreach (var tensor in DenseLayout.Tensors(runtime))
            {
                var offset = DenseLayout.Align(cursor);
                placed.Add(offset);
                cursor = offset + tensor.Bytes;
            }

            var tensors = DenseLayout.Tensors(runtime);
            long Offset(TensorRole role) => Array.FindIndex(tensors, t => t.Role == role) is var at and >= 0 ? placed[at] : -1;
            layers.Add((Offset(TensorRole.Weight), Offset(TensorRole.Scale), Offset(TensorRole.Bias), runtime.Bytes, runtime.Float32Bytes));
            offsets.Add([Offset(TensorRole.Structure), Offset(TensorRole.Min), Offset(TensorRole.Codebook), Offset(TensorRole.InputScale)]);
            previousKept = runtime.OutFeatures;
        }

        var kept = model.Layers.Select(l => l.KeepOutputs > 0 ? l.KeepOutputs : l.OutFeatures).ToArray();
        var intermediates = kept.Take(kept.Length - 1).ToArray();
        var maxEven = intermediates.Where((_, i) => i % 2 == 0).DefaultIfEmpty(0).Max();
        var maxOdd = intermediates.Where((_, i) => i % 2 == 1).DefaultIfEmpty(0).Max();
        // Int4 rows are padded to whole groups (zero weights). Chunked layers (all with 16-bit activations, else int4
        // layers with padded rows) run 8 rows at a time through fp32 staging rows: input X, and output Y when 16-bit.
        int Padded(RandomLayer l, int k) => l.GroupSize > 0 ? (k + l.GroupSize - 1) / l.GroupSize * l.GroupSize : k;
        var inputs = model.Layers.Select((l, i) => (Layer: l, Index: i, Unpadded: i == 0 ? l.InFeatures : kept[i - 1])).ToArray();
        var quantizing = inputs.Where(x => x.Layer.Precision is Precision.Int8 or Precision.Int4 or Precision.Int4Asymmetric).ToArray();
        var widestQ = quantizing.Select(x => Padded(x.Layer, x.Unpadded)).DefaultIfEmpty(0).Max();
        var scalesPerRow = quantizing.Select(x => x.Layer.GroupSize > 0 ? Padded(x.Layer, x.Unpadded) / x.Layer.GroupSize : x.Layer.Input == InputQuantization.Dynamic ? 1 : 0).DefaultIfEmpty(0).Max();
        var widestX = inputs.Where(x => Padded(x.Layer, x.Unpadded) != x.Unpadded || (model.Half && x.Index > 0)).Select(x => Padded(x.Layer, x.Unpadded)).DefaultIfEmpty(0).Max();
        var widestY = model.Half ? intermediates.DefaultIfEmpty(0).Max() : 0;
        long element = model.Half ? 2 : 4, chunk = Math.Min(model.MaxBatch, 8), scratchRows = model.Half ? chunk : model.MaxBatch;
        long end = 0;
        long a = -1, b = -1, q = -1, s = -1, x = -1, y = -1;
        long Place(long bytes)
        {
            var offset = DenseLayout.Align(end);
            end = offset + bytes;
            return offset;
        }

        if (maxEven > 0) a = Place(model.MaxBatch * element * maxEven);
        if (maxOdd > 0) b = Place(model.MaxBatch * element * maxOdd);
        if (widestQ > 0) q = Place(scratchRows * widestQ);
        if (scalesPerRow > 0) s = Place(scratchRows * 4 * scalesPerRow);
        if (widestX > 0) x = Place(chunk * 4 * widestX);
        if (widestY > 0) y = Place(chunk * 4 * widestY);
        var perSample = (element * maxEven) + (element * maxOdd) + (model.Half ? 0 : widestQ + (4L * scalesPerRow));
        return new Expected(
            layers.ToArray(),
            offsets.ToArray(),
            Math.Max(DenseLayout.Align(cursor), DenseLayout.Alignment),
            layers.Sum(l => l.Item4),
            layers.Sum(l => l.Item5),
            Math.Max(DenseLayout.Align(end), DenseLayout.Alignment),
            perSample,
            (a, b, q, s),
            (x, y));
    }

    // The runtime's description of a random layer (offsets do not change sizes); the cost rule from the runtime.
    private static DenseLayer RuntimeLayer(RandomLayer l, int keptIn, int weightOffset, int scaleOffset, int biasOffset)
    {
        var keptOut = l.KeepOutputs > 0 ? l.KeepOutputs : l.OutFeatures;
        return new DenseLayer("l", keptIn, keptOut, l.Precision, Activation.None, weightOffset, scaleOffset, l.Bias ? 0 : -1)
        {
            SourceInFeatures = l.InFeatures,
            SourceOutFeatures = l.OutFeatures,
            GroupSize = l.GroupSize,
            Pruning = l.Pruning,
            Sparsity = l.Sparsity,
            StoredSparse = l.Pruning == Pruning.Magnitude && l.Storage switch
            {
                SparseStorage.Sparse => true,
                SparseStorage.Dense => false,
                _ => SparseLayout.PrefersUnstructured(keptOut, keptIn, l.Sparsity, l.Precision == Precision.Int8),
            },
            InputQuantization = l.Input,
        };
    }
}
