using System;

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
            PlanActivations(spec.Layers, spec.Options.MaxBatch),
            budget);
    }

    /// <summary>Bytes per weight element at <paramref name="precision"/>.</summary>
    public static int ElementBytes(LayerPrecision precision) => precision switch
    {
        LayerPrecision.Float32 => 4,
        LayerPrecision.Float16 or LayerPrecision.BFloat16 => 2,
        LayerPrecision.Int8 => 1,
        _ => throw new ArgumentOutOfRangeException(nameof(precision), precision, "Undefined precision."),
    };

    /// <summary>Rounds <paramref name="bytes"/> up to the 64-byte alignment.</summary>
    public static long Align(long bytes) => (bytes + ModelLimits.Alignment - 1) & ~(long)(ModelLimits.Alignment - 1);

    /// <summary>Weights, scales and bias of one layer without padding (the runtime's <c>DenseLayout.LayerBytes</c>).</summary>
    public static long LayerBytes(int inFeatures, int outFeatures, LayerPrecision precision, bool bias) =>
        ((long)inFeatures * outFeatures * ElementBytes(precision))
        + (precision == LayerPrecision.Int8 ? 4L * outFeatures : 0)
        + (bias ? 4L * outFeatures : 0);

    // Each tensor starts at the next 64-byte boundary: weights, then Int8 scales, then bias.
    private static LayerPlan[] PlanWeights(EquatableArray<DenseSpec> layers, out long end)
    {
        var plans = new LayerPlan[layers.Count];
        long cursor = 0;
        for (var i = 0; i < plans.Length; i++)
        {
            var layer = layers[i];
            var matrixBytes = (long)layer.InFeatures * layer.OutFeatures * ElementBytes(layer.Precision);
            var weightOffset = Place(ref cursor, matrixBytes);
            var scaleOffset = layer.Precision == LayerPrecision.Int8 ? Place(ref cursor, 4L * layer.OutFeatures) : -1;
            var biasOffset = layer.Bias ? Place(ref cursor, 4L * layer.OutFeatures) : -1;
            plans[i] = new LayerPlan(
                weightOffset,
                matrixBytes,
                scaleOffset,
                biasOffset,
                cursor,
                LayerBytes(layer.InFeatures, layer.OutFeatures, layer.Precision, layer.Bias),
                LayerBytes(layer.InFeatures, layer.OutFeatures, LayerPrecision.Float32, layer.Bias));
        }

        end = cursor;
        return plans;
    }

    private static ActivationPlan PlanActivations(EquatableArray<DenseSpec> layers, int maxBatch)
    {
        // Layer i < L-1 writes an intermediate of width OutFeatures; the last layer writes to the caller's output.
        int widestEven = 0, widestOdd = 0, widestInt8Input = 0;
        var anyInt8 = false;
        for (var i = 0; i < layers.Count; i++)
        {
            var layer = layers[i];
            if (i < layers.Count - 1 && i % 2 == 0)
            {
                widestEven = Math.Max(widestEven, layer.OutFeatures);
            }
            else if (i < layers.Count - 1)
            {
                widestOdd = Math.Max(widestOdd, layer.OutFeatures);
            }

            if (layer.Precision == LayerPrecision.Int8)
            {
                anyInt8 = true;
                widestInt8Input = Math.Max(widestInt8Input, layer.InFeatures);
            }
        }

        long cursor = 0;
        var bufferA = widestEven > 0 ? Place(ref cursor, 4L * maxBatch * widestEven) : -1;
        var bufferB = widestOdd > 0 ? Place(ref cursor, 4L * maxBatch * widestOdd) : -1;
        var quantized = anyInt8 ? Place(ref cursor, (long)maxBatch * widestInt8Input) : -1;
        var rowScales = anyInt8 ? Place(ref cursor, 4L * maxBatch) : -1;
        var perSample = (4L * widestEven) + (4L * widestOdd) + (anyInt8 ? widestInt8Input + 4L : 0);
        return new ActivationPlan(bufferA, bufferB, quantized, rowScales, BlockSize(cursor), perSample);
    }

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
