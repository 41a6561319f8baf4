using ModelGen.Kernels;

namespace ModelGen.Graph;

/// <summary>The checks behind <see cref="GraphExecutor.Validate"/>: everything the executor and kernels rely on, once per model.</summary>
internal static class GraphValidation
{
    public static void Run(string modelName, IReadOnlyList<GraphLayer> layers, ActivationPlan plan, long weightBlockBytes)
    {
        if (plan.FixedScratchBytes < 0 || plan.FixedScratchBytes % GraphScratch.Alignment != 0 || plan.PeakBytesPerSample < 0)
            throw new InvalidOperationException(
                $"Model '{modelName}': the plan's fixed scratch ({plan.FixedScratchBytes} bytes) must be a non-negative multiple of "
                + $"{GraphScratch.Alignment} and its peak ({plan.PeakBytesPerSample} bytes per sample) non-negative.");
        for (int i = 0; i < layers.Count; i++)
        {
            GraphLayer? layer = layers[i];
            if (layer is null) throw new InvalidOperationException($"Model '{modelName}': layer {i} is null.");
            var check = new Checker(modelName, layer);
            CheckOrder(check, layer, i);
            CheckShapes(check, layers, layer);
            if (layer.Executes)
            {
                CheckTensors(check, layers, layer, plan);
                CheckScratch(check, layer, plan);
            }
            if (GraphLayout.IsWeighted(layer)) CheckWeights(check, layer, weightBlockBytes);
        }
        CheckLiveness(modelName, layers);
    }

    private static void CheckOrder(Checker check, GraphLayer layer, int position)
    {
        check.That(layer.Index == position, $"its Index is {layer.Index} but it is at position {position} of the plan.");
        check.That(layer.Source >= -1 && layer.Source < position, $"its Source {layer.Source} is not an earlier layer (or -1, the model input).");
        check.That(layer.Source2 == -2 || (layer.Source2 >= -1 && layer.Source2 < position),
            $"its Source2 {layer.Source2} is not an earlier layer (or -1, the model input; -2 for none).");
        check.That(layer.ExecutedBy >= -1 && layer.ExecutedBy < position, $"its ExecutedBy {layer.ExecutedBy} is not an earlier layer.");
        check.That(layer.InputShape is { Length: > 0 } && layer.OutputShape is { Length: > 0 }
            && layer.InputShape.All(d => d > 0) && layer.OutputShape.All(d => d > 0), "its shapes must be non-empty and positive.");
        check.That((long)layer.InputShape.Aggregate(1L, (a, d) => a * d) <= int.MaxValue / 4
            && (long)layer.OutputShape.Aggregate(1L, (a, d) => a * d) <= int.MaxValue / 4, "its tensors are too large.");
    }

    private static void CheckShapes(Checker check, IReadOnlyList<GraphLayer> layers, GraphLayer layer)
    {
        int[] input = layer.InputShape, output = layer.OutputShape;
        switch (layer.Kind)
        {
            case LayerKind.Dense:
                check.That(input.Length == output.Length && input.AsSpan(0, input.Length - 1).SequenceEqual(output.AsSpan(0, output.Length - 1)),
                    $"a Dense layer maps the last dimension only, but [{Text(input)}] -> [{Text(output)}].");
                check.That(GraphLayout.ElementBytes(layer.Precision) != 0, $"precision {layer.Precision} is not supported by graph layers (Float32, Float16, BFloat16, Int8).");
                check.That(layer.Precision != Precision.Int8 || GraphLayout.InFeatures(layer) <= DenseKernels.Int8MaxK,
                    $"int8 layers take at most {DenseKernels.Int8MaxK} inputs.");
                break;
            case LayerKind.Conv2d:
                Conv2dShape s = layer.Window;
                check.That(s.Problem is null, $"its convolution is invalid: {s.Problem}");
                check.That(input.SequenceEqual([s.InChannels, s.InHeight, s.InWidth]) && output.SequenceEqual([s.OutChannels, s.OutHeight, s.OutWidth]),
                    $"its shapes [{Text(input)}] -> [{Text(output)}] do not match its window ({s}).");
                check.That(GraphLayout.ElementBytes(layer.Precision) != 0, $"precision {layer.Precision} is not supported by graph layers (Float32, Float16, BFloat16, Int8).");
                check.That(layer.Precision != Precision.Int8 || s.WeightsPerOutChannel <= DenseKernels.Int8MaxK,
                    $"int8 convolutions take at most {DenseKernels.Int8MaxK} weights per output channel.");
                if (layer.FoldedBatchNorm is { } bn)
                {
                    GraphLayer? folded = layers.FirstOrDefault(l => l is not null && l.Name == bn && l.Kind == LayerKind.BatchNorm2d);
                    check.That(folded is not null && folded.ExecutedBy == layer.Index && folded.InputShape[0] == s.OutChannels,
                        $"its folded BatchNorm '{bn}' is not a BatchNorm2d layer of {s.OutChannels} channels executed by it.");
                }
                break;
            case LayerKind.MaxPool2d or LayerKind.AvgPool2d:
                Conv2dShape w = layer.Window;
                bool square = w.KernelHeight == w.KernelWidth && w.StrideHeight == w.StrideWidth && w.PaddingHeight == w.PaddingWidth;
                check.That(input.Length == 3 && square && w.KernelHeight > 0 && w.StrideHeight > 0 && w.PaddingHeight >= 0
                    && w.PaddingHeight <= w.KernelHeight / 2
                    && output.SequenceEqual([input[0], PoolKernels.OutputSize(input[1], w.KernelHeight, w.StrideHeight, w.PaddingHeight),
                        PoolKernels.OutputSize(input[2], w.KernelHeight, w.StrideHeight, w.PaddingHeight)]),
                    $"a pooling layer takes [C, H, W], a square window with padding at most half the kernel, and gives "
                    + $"[C, OH, OW]; it has [{Text(input)}] -> [{Text(output)}], window {w.KernelHeight}x{w.KernelWidth} "
                    + $"stride {w.StrideHeight} padding {w.PaddingHeight}.");
                break;
            case LayerKind.GlobalAvgPool:
                check.That(input.Length == 3 && output[0] == input[0] && layer.OutputSize == input[0],
                    $"a global average pool maps [C, H, W] to [C] or [C, 1, 1]; it has [{Text(input)}] -> [{Text(output)}].");
                break;
            case LayerKind.BatchNorm2d or LayerKind.LayerNorm:
                check.That(input.SequenceEqual(output), $"a norm keeps its shape; it has [{Text(input)}] -> [{Text(output)}].");
                check.That(float.IsFinite(layer.Epsilon) && layer.Epsilon >= 0, $"its epsilon {layer.Epsilon} must be finite and not negative.");
                break;
            case LayerKind.Activation or LayerKind.Add or LayerKind.Flatten or LayerKind.Dropout:
                check.That(layer.InputSize == layer.OutputSize, $"a {layer.Kind} layer keeps its size; it has [{Text(input)}] -> [{Text(output)}].");
                break;
            default:
                check.That(false, $"kind {layer.Kind} is unknown.");
                break;
        }
        check.That((uint)layer.Activation <= (uint)Activation.Gelu, $"activation {layer.Activation} is unknown.");
        if (layer.Kind == LayerKind.Add && layer.Executes)
            check.That(layer.Source2 != -2 && layer.Input2Offset != GraphLayer.None, "an Add needs a second input.");
    }

    private static void CheckTensors(Checker check, IReadOnlyList<GraphLayer> layers, GraphLayer layer, ActivationPlan plan)
    {
        long inputBytes = layer.InputSize * 4L, outputBytes = layer.OutputSize * 4L;
        CheckRead(check, layers, layer, "input", layer.Source, layer.InputOffset, inputBytes, plan);
        if (layer.Kind == LayerKind.Add)
            CheckRead(check, layers, layer, "second input", layer.Source2, layer.Input2Offset, inputBytes, plan);
        check.That(layer.OutputOffset == GraphLayer.ModelOutput || InBatchRegion(layer.OutputOffset, outputBytes, plan),
            $"its output (offset {layer.OutputOffset}, {outputBytes} bytes per sample) is not a 64-aligned place inside the "
            + $"{plan.PeakBytesPerSample} bytes per sample of the batch region, nor the model output.");
        // LayerNorm's kernel is alias-safe too (each row is read in full before it is written).
        bool inPlaceKind = layer.Kind is LayerKind.Add or LayerKind.Activation or LayerKind.BatchNorm2d or LayerKind.LayerNorm;
        foreach ((long offset, string what) in new[] { (layer.InputOffset, "input"), (layer.Kind == LayerKind.Add ? layer.Input2Offset : GraphLayer.None, "second input") })
        {
            if (offset < 0 || layer.OutputOffset < 0 || !Overlap(offset, inputBytes, layer.OutputOffset, outputBytes)) continue;
            check.That(inPlaceKind && offset == layer.OutputOffset,
                $"its output (offset {layer.OutputOffset}) overlaps its {what} (offset {offset}); only Add, Activation, "
                + "BatchNorm2d and LayerNorm may run in place, and then exactly over the input.");
        }
    }

    private static void CheckRead(Checker check, IReadOnlyList<GraphLayer> layers, GraphLayer layer, string what, int source,
        long offset, long bytes, ActivationPlan plan)
    {
        int producer = Producer(layers, source);
        long expected = producer < 0 ? GraphLayer.ModelInput : layers[producer].OutputOffset;
        check.That(offset == expected,
            $"its {what} offset {offset} is not where its source writes ({expected}, {(producer < 0 ? "the model input" : $"layer {producer} '{layers[producer].Name}'")}).");
        check.That(offset is GraphLayer.ModelInput or GraphLayer.ModelOutput || InBatchRegion(offset, bytes, plan),
            $"its {what} (offset {offset}, {bytes} bytes per sample) runs past the {plan.PeakBytesPerSample} bytes per sample of the batch region.");
        if (producer >= 0)
            check.That(layers[producer].OutputSize == layer.InputSize,
                $"its {what} has {layer.InputSize} elements but its source '{layers[producer].Name}' writes {layers[producer].OutputSize}.");
    }

    private static void CheckScratch(Checker check, GraphLayer layer, ActivationPlan plan)
    {
        long need = GraphLayout.ScratchBytes(layer);
        if (need > 0)
        {
            check.That(layer.ScratchBytes >= need, $"its scratch has {layer.ScratchBytes} bytes; GraphScratch needs {need}.");
            check.That(layer.ScratchOffset >= 0 && layer.ScratchOffset % GraphScratch.Alignment == 0
                && layer.ScratchOffset + layer.ScratchBytes <= plan.FixedScratchBytes,
                $"its scratch (offset {layer.ScratchOffset}, {layer.ScratchBytes} bytes) is not a 64-aligned place inside the "
                + $"{plan.FixedScratchBytes}-byte fixed region.");
        }
        long rowNeed = GraphLayout.RowScratchBytes(layer);
        if (rowNeed > 0)
        {
            check.That(layer.RowScratchBytes >= rowNeed, $"its row scratch has {layer.RowScratchBytes} bytes per sample; GraphScratch needs {rowNeed}.");
            check.That(InBatchRegion(layer.RowScratchOffset, layer.RowScratchBytes, plan),
                $"its row scratch (offset {layer.RowScratchOffset}, {layer.RowScratchBytes} bytes per sample) is not a 64-aligned place "
                + $"inside the {plan.PeakBytesPerSample} bytes per sample of the batch region.");
            foreach ((long offset, long bytes) in new[] { (layer.InputOffset, layer.InputSize * 4L), (layer.OutputOffset, layer.OutputSize * 4L) })
                check.That(offset < 0 || !Overlap(offset, bytes, layer.RowScratchOffset, layer.RowScratchBytes),
                    $"its row scratch (offset {layer.RowScratchOffset}) overlaps its input or output (offset {offset}).");
        }
    }

    private static void CheckWeights(Checker check, GraphLayer layer, long weightBlockBytes)
    {
        int channels = GraphLayout.Channels(layer);
        CheckWeightRange(check, "weights", layer.WeightOffset, GraphLayout.WeightBytes(layer), weightBlockBytes);
        if (GraphLayout.HasScales(layer)) CheckWeightRange(check, "scales", layer.ScaleOffset, channels * 4L, weightBlockBytes);
        if (GraphLayout.HasBiasSlot(layer)) CheckWeightRange(check, "bias", layer.BiasOffset, channels * 4L, weightBlockBytes);
        check.That(layer.InputQuantization is InputQuantization.Dynamic or InputQuantization.Static,
            $"its InputQuantization {(int)layer.InputQuantization} is not a defined value.");
        check.That(layer.InputQuantization == InputQuantization.Dynamic || GraphLayout.HasScales(layer),
            $"InputQuantization.Static needs an Int8 Dense or Conv2d layer; it is {layer.Kind} with {layer.Precision} weights.");
        if (GraphLayout.HasInputScale(layer)) CheckWeightRange(check, "input scale", layer.InputScaleOffset, 4, weightBlockBytes);
    }

    private static void CheckWeightRange(Checker check, string what, long offset, long bytes, long blockBytes) =>
        check.That(offset >= 0 && offset % 4 == 0 && offset + bytes <= blockBytes,
            $"its {what} (offset {offset}, {bytes} bytes) run past the {blockBytes}-byte weight block or are misplaced.");

    /// <summary>
    /// No executed layer writes its output or row scratch over a tensor a later layer still reads; in place only over
    /// an input whose last reader it is.
    /// </summary>
    private static void CheckLiveness(string modelName, IReadOnlyList<GraphLayer> layers)
    {
        var lastRead = new int[layers.Count];
        Array.Fill(lastRead, -1);
        for (int j = 0; j < layers.Count; j++)
        {
            if (!layers[j].Executes) continue;
            foreach (int source in Sources(layers[j]))
            {
                int producer = Producer(layers, source);
                if (producer >= 0) lastRead[producer] = j;
            }
        }
        for (int j = 0; j < layers.Count; j++)
        {
            GraphLayer layer = layers[j];
            if (!layer.Executes) continue;
            var check = new Checker(modelName, layer);
            for (int t = 0; t < j; t++)
            {
                GraphLayer tensor = layers[t];
                if (!tensor.Executes || lastRead[t] < j || tensor.OutputOffset < 0) continue;
                long bytes = tensor.OutputSize * 4L;
                if (layer.OutputOffset >= 0 && Overlap(layer.OutputOffset, layer.OutputSize * 4L, tensor.OutputOffset, bytes))
                    check.That(lastRead[t] == j && layer.OutputOffset == tensor.OutputOffset,
                        $"its output (offset {layer.OutputOffset}) overwrites the output of layer {t} '{tensor.Name}' (offset "
                        + $"{tensor.OutputOffset}), which layer {lastRead[t]} '{layers[lastRead[t]].Name}' still reads.");
                if (layer.RowScratchOffset >= 0 && GraphLayout.RowScratchBytes(layer) > 0)
                    check.That(!Overlap(layer.RowScratchOffset, layer.RowScratchBytes, tensor.OutputOffset, bytes),
                        $"its row scratch (offset {layer.RowScratchOffset}) overlaps the output of layer {t} '{tensor.Name}' "
                        + $"(offset {tensor.OutputOffset}), which is still read.");
            }
        }
    }

    private static IEnumerable<int> Sources(GraphLayer layer) =>
        layer.Kind == LayerKind.Add ? [layer.Source, layer.Source2] : [layer.Source];

    /// <summary>The executing layer whose output is layer <paramref name="index"/>'s tensor (through views and fused layers); -1 for the model input.</summary>
    private static int Producer(IReadOnlyList<GraphLayer> layers, int index)
    {
        while (index >= 0 && !layers[index].Executes) index = layers[index].ExecutedBy; // always earlier, so this ends
        return index;
    }

    private static bool InBatchRegion(long offset, long bytes, ActivationPlan plan) =>
        offset >= 0 && offset % GraphScratch.Alignment == 0 && offset + bytes <= plan.PeakBytesPerSample;

    private static bool Overlap(long a, long aBytes, long b, long bBytes) => a < b + bBytes && b < a + aBytes;

    private static string Text(int[] shape) => string.Join(", ", shape);

    private readonly struct Checker(string modelName, GraphLayer layer)
    {
        public void That(bool condition, string problem)
        {
            if (!condition)
                throw new InvalidOperationException($"Model '{modelName}', layer {layer.Index} '{layer.Name}' ({layer.Kind}): {problem}");
        }
    }
}
