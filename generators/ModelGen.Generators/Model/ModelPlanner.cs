using System;
using ModelGen.Generators.Model.Graph;

namespace ModelGen.Generators.Model;

/// <summary>
/// Computes a <see cref="ModelPlan"/>. Every number must equal what the runtime computes (<c>DenseLayout</c>): the
/// generated constants and offsets are what <c>Load</c> and <c>Forward</c> trust. Works in <see cref="long"/>, so any
/// spec whose widths and batch are in range plans without overflow; the validator then checks the sizes.
/// </summary>
internal static class ModelPlanner
{
    /// <summary>Plans <paramref name="spec"/>; every layer must have a defined precision.</summary>
    public static ModelPlan Plan(ModelSpec spec)
    {
        if (spec.IsGraph)
        {
            return GraphPlanner.ToModelPlan(spec, spec.Options.MemoryBudget is { } budgetText && MemoryBudget.TryParse(budgetText, out var budgetBytes) ? budgetBytes : null);
        }

        var layers = PlanWeights(spec.Layers, out var weightEnd);
        long weightBytes = 0, float32WeightBytes = 0;
        foreach (var layer in layers)
        {
            weightBytes += layer.Bytes;
            float32WeightBytes += layer.Float32Bytes;
        }

        long? budget = spec.Options.MemoryBudget is { } text && MemoryBudget.TryParse(text, out var bytes) ? bytes : null;
        return new ModelPlan(
            new EquatableArray<LayerPlan>(layers),
            BlockSize(weightEnd),
            weightBytes,
            float32WeightBytes,
            PlanActivations(spec),
            budget);
    }

    /// <summary>Rounds <paramref name="bytes"/> up to the 64-byte alignment.</summary>
    public static long Align(long bytes) => (bytes + ModelLimits.Alignment - 1) & ~(long)(ModelLimits.Alignment - 1);

    /// <summary>The unpruned layer as the source file holds it, in fp32: weights and bias (the runtime's <c>DenseLayer.Float32Bytes</c>).</summary>
    private static long SourceFloat32Bytes(DenseSpec layer) =>
        (4L * layer.InFeatures * layer.OutFeatures) + (layer.Bias ? 4L * layer.OutFeatures : 0);

    /// <summary>Input width layer <paramref name="index"/> computes with: the previous layer's kept outputs.</summary>
    public static int KeptInFeatures(EquatableArray<DenseSpec> layers, int index) =>
        index == 0 ? layers[0].InFeatures : layers[index - 1].KeptOutFeatures;

    // Each tensor starts at the next 64-byte boundary, in the runtime's order: weight, structure, scale, min,
    // codebook, input scale, bias.
    private static LayerPlan[] PlanWeights(EquatableArray<DenseSpec> layers, out long end)
    {
        var plans = new LayerPlan[layers.Count];
        long cursor = 0;
        for (var i = 0; i < plans.Length; i++)
        {
            var layer = layers[i];
            int k = KeptInFeatures(layers, i), n = layer.KeptOutFeatures;
            var storedSparse = SparseSizes.StoredSparse(layer, n, k);
            var sizes = LayerTensorSizes.For(layer, k, n, storedSparse);
            var weightOffset = Place(ref cursor, sizes.Weight);
            var structureOffset = PlaceIfPresent(ref cursor, sizes.Structure);
            var scaleOffset = PlaceIfPresent(ref cursor, sizes.Scale);
            var minOffset = PlaceIfPresent(ref cursor, sizes.Min);
            var codebookOffset = PlaceIfPresent(ref cursor, sizes.Codebook);
            var inputScaleOffset = PlaceIfPresent(ref cursor, sizes.InputScale);
            var biasOffset = PlaceIfPresent(ref cursor, sizes.Bias);
            plans[i] = new LayerPlan(
                k,
                n,
                storedSparse,
                weightOffset,
                sizes.Weight,
                scaleOffset,
                biasOffset,
                structureOffset,
                minOffset,
                codebookOffset,
                inputScaleOffset,
                cursor,
                sizes.Total,
                SourceFloat32Bytes(layer));
        }

        end = cursor;
        return plans;
    }

    private static ActivationPlan PlanActivations(ModelSpec spec)
    {
        var layers = spec.Layers;
        var maxBatch = spec.Options.MaxBatch;
        var half = HalfActivations(spec);
        var chunkRows = Math.Min(maxBatch, ModelLimits.ChunkRows);

        // Layer i < L-1 writes an intermediate of its kept width; the last layer writes to the caller's output.
        // Chunked layers (all of them with 16-bit activations; otherwise int4 layers with padded rows) stage their
        // input rows, widened or padded, in fp32 (X), and with 16-bit activations their output rows too (Y).
        int widestEven = 0, widestOdd = 0, widestQuantizedInput = 0, scalesPerRow = 0, widestStagedInput = 0, widestStagedOutput = 0;
        for (var i = 0; i < layers.Count; i++)
        {
            var layer = layers[i];
            var isLast = i == layers.Count - 1;
            if (!isLast && i % 2 == 0)
            {
                widestEven = Math.Max(widestEven, layer.KeptOutFeatures);
            }
            else if (!isLast)
            {
                widestOdd = Math.Max(widestOdd, layer.KeptOutFeatures);
            }

            var k = KeptInFeatures(layers, i);
            var padded = LayerSchemeRules.PaddedInFeatures(layer, k);
            if (padded != k || (half && i > 0))
            {
                widestStagedInput = Math.Max(widestStagedInput, padded);
            }

            if (half && !isLast)
            {
                widestStagedOutput = Math.Max(widestStagedOutput, layer.KeptOutFeatures);
            }

            if (QuantizesInput(layer))
            {
                widestQuantizedInput = Math.Max(widestQuantizedInput, padded);
                scalesPerRow = Math.Max(scalesPerRow, InputScalesPerRow(layer, padded));
            }
        }

        // With 16-bit activations every layer runs chunk by chunk, so its quantization scratch is per chunk too.
        var scratchRows = half ? chunkRows : maxBatch;
        var element = half ? 2L : 4L;
        long cursor = 0;
        var bufferA = widestEven > 0 ? Place(ref cursor, element * maxBatch * widestEven) : -1;
        var bufferB = widestOdd > 0 ? Place(ref cursor, element * maxBatch * widestOdd) : -1;
        var quantized = widestQuantizedInput > 0 ? Place(ref cursor, (long)scratchRows * widestQuantizedInput) : -1;
        var rowScales = scalesPerRow > 0 ? Place(ref cursor, 4L * scratchRows * scalesPerRow) : -1;
        var stagedInput = widestStagedInput > 0 ? Place(ref cursor, 4L * chunkRows * widestStagedInput) : -1;
        var stagedOutput = widestStagedOutput > 0 ? Place(ref cursor, 4L * chunkRows * widestStagedOutput) : -1;
        var perSample = (element * widestEven) + (element * widestOdd) + (half ? 0 : widestQuantizedInput + (4L * scalesPerRow));
        return new ActivationPlan(bufferA, bufferB, quantized, rowScales, BlockSize(cursor), perSample, stagedInput, stagedOutput, half);
    }

    /// <summary>Whether the model stores intermediate activations in 16 bits (a one-layer model has none).</summary>
    public static bool HalfActivations(ModelSpec spec) => spec.Options.HasHalfActivations && spec.Layers.Count > 1;

    /// <summary>Whether layer <paramref name="index"/> runs chunk by chunk (16-bit activations, or padded int4 rows).</summary>
    public static bool RunsInChunks(ModelSpec spec, int index)
    {
        var layer = spec.Layers[index];
        var k = KeptInFeatures(spec.Layers, index);
        return HalfActivations(spec) || LayerSchemeRules.PaddedInFeatures(layer, k) != k;
    }

    /// <summary>Whether the layer's kernel quantizes its input to int8 into scratch (int8 values, or int4 blocks).</summary>
    private static bool QuantizesInput(DenseSpec layer) =>
        layer.Precision == LayerPrecision.Int8 || LayerSchemeRules.IsInt4(layer.Precision);

    /// <summary>fp32 input scales per row the layer's kernel writes to scratch for a (padded) width <paramref name="k"/>: one per row, one per int4 block, or none (static).</summary>
    private static int InputScalesPerRow(DenseSpec layer, int k) =>
        LayerSchemeRules.IsInt4(layer.Precision) ? k / layer.Scheme.EffectiveGroupSize
        : layer.Precision == LayerPrecision.Int8 && layer.Scheme.InputQuantization == LayerInputQuantization.Dynamic ? 1
        : 0;

    private static long PlaceIfPresent(ref long cursor, long bytes) => bytes < 0 ? -1 : Place(ref cursor, bytes);

    // Places a tensor of `bytes` at the next aligned offset and advances the cursor past it.
    private static long Place(ref long cursor, long bytes)
    {
        var offset = Align(cursor);
        cursor = offset + bytes;
        return offset;
    }

    // A block is never empty: the runtime allocates at least one alignment unit.
    private static long BlockSize(long end) => Math.Max(Align(end), ModelLimits.Alignment);
}
