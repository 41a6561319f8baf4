using System.Diagnostics.CodeAnalysis;

namespace ModelGen.Graph;

/// <summary>
/// Runs a graph model's plan: every executing <see cref="GraphLayer"/> in order, with its tensors resolved to spans of
/// the activation block (see the remarks of <see cref="GraphLayer"/>) and its weights to the weight block.
/// </summary>
public static class GraphExecutor
{
    /// <summary>
    /// Checks the generated plan against the runtime: indices and sources in order, shapes each kind can run, supported
    /// precisions, scratch at least as large as <see cref="GraphScratch"/> says, every tensor and scratch inside its
    /// region of the activation block, weights inside the weight block, and no layer writing over a tensor that a later
    /// layer still reads. Throws <see cref="InvalidOperationException"/> naming the model and the layer.
    /// </summary>
    public static void Validate(string modelName, IReadOnlyList<GraphLayer> layers, ActivationPlan plan, long weightBlockBytes)
    {
        ArgumentNullException.ThrowIfNull(modelName);
        ArgumentNullException.ThrowIfNull(layers);
        ArgumentNullException.ThrowIfNull(plan);
        GraphValidation.Run(modelName, layers, plan, weightBlockBytes);
    }

    /// <summary>
    /// Runs every executing layer in order through <paramref name="backend"/> over <paramref name="batch"/> samples of
    /// <paramref name="input"/> into <paramref name="output"/>, then hands the layer's output to
    /// <paramref name="observer"/> (all rows at once). The plan must have passed <see cref="Validate"/>;
    /// <paramref name="activations"/> must hold at least <see cref="ActivationPlan.BlockBytes"/> of the batch.
    /// Allocates nothing.
    /// </summary>
    public static void Forward(IReadOnlyList<GraphLayer> layers, ActivationPlan plan, NativeBlock weights, NativeBlock activations,
        ReadOnlySpan<float> input, Span<float> output, int batch, ILayerBackend backend, LayerOutputObserver? observer)
    {
        ArgumentNullException.ThrowIfNull(layers);
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(activations);
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        if (activations.Length < plan.BlockBytes(batch))
            throw new ArgumentException(
                $"The activation block has {activations.Length} bytes; batch {batch} needs {plan.BlockBytes(batch)}.", nameof(activations));

        for (int i = 0; i < layers.Count; i++)
        {
            GraphLayer layer = layers[i];
            if (!layer.Executes) continue;
            long inputCount = (long)batch * layer.InputSize, outputCount = (long)batch * layer.OutputSize;
            ReadOnlySpan<float> x = Input(layer, layer.InputOffset, inputCount, plan, activations, input, output, batch);
            ReadOnlySpan<float> x2 = layer.Kind == LayerKind.Add
                ? Input(layer, layer.Input2Offset, inputCount, plan, activations, input, output, batch) : default;
            Span<float> y = Output(layer, outputCount, plan, activations, output, batch);
            int channels = GraphLayout.Channels(layer);
            var spans = new LayerSpans(x, x2, y,
                WeightBytes(weights, layer.WeightOffset, GraphLayout.WeightBytes(layer)),
                WeightFloats(weights, layer.ScaleOffset, GraphLayout.HasScales(layer) ? channels : 0),
                WeightFloats(weights, layer.BiasOffset, GraphLayout.HasBiasSlot(layer) ? channels : 0),
                layer.ScratchOffset == GraphLayer.None ? default : activations.AsSpan<byte>((int)layer.ScratchOffset, (int)layer.ScratchBytes),
                layer.RowScratchOffset == GraphLayer.None ? default
                    : activations.AsSpan<byte>(checked((int)(plan.FixedScratchBytes + layer.RowScratchOffset * batch)),
                        checked((int)(layer.RowScratchBytes * batch))),
                batch,
                GraphLayout.HasInputScale(layer) ? weights.AsSpan<float>((int)layer.InputScaleOffset, 1)[0] : 0f);
            switch (layer.Kind)
            {
                case LayerKind.Dense: backend.Dense(layer, spans); break;
                case LayerKind.Conv2d: backend.Conv2d(layer, spans); break;
                case LayerKind.BatchNorm2d: backend.BatchNorm2d(layer, spans); break;
                case LayerKind.MaxPool2d or LayerKind.AvgPool2d or LayerKind.GlobalAvgPool: backend.Pool(layer, spans); break;
                case LayerKind.LayerNorm: backend.LayerNorm(layer, spans); break;
                case LayerKind.Activation: backend.Activate(layer, spans); break;
                case LayerKind.Add: backend.Add(layer, spans); break;
                default: ThrowUnknownKind(layer); break;
            }

            observer?.Invoke(layer.Index, 0, batch, y);
        }
    }

    /// <summary>A tensor a layer reads: the model's input (or output) span, or its place in the batch region.</summary>
    private static ReadOnlySpan<float> Input(GraphLayer layer, long offset, long count, ActivationPlan plan, NativeBlock activations,
        ReadOnlySpan<float> input, Span<float> output, int batch)
    {
        switch (offset)
        {
            case GraphLayer.ModelInput:
                if (input.Length < count) ThrowTooShort(layer, "input", input.Length, count);
                return input[..(int)count];
            case GraphLayer.ModelOutput:
                if (output.Length < count) ThrowTooShort(layer, "output", output.Length, count);
                return output[..(int)count];
            default:
                return Block(layer, offset, count, plan, activations, batch);
        }
    }

    /// <summary>The tensor a layer writes: the model's output span or its place in the batch region.</summary>
    private static Span<float> Output(GraphLayer layer, long count, ActivationPlan plan, NativeBlock activations, Span<float> output, int batch)
    {
        if (layer.OutputOffset != GraphLayer.ModelOutput) return Block(layer, layer.OutputOffset, count, plan, activations, batch);
        if (output.Length < count) ThrowTooShort(layer, "output", output.Length, count);
        return output[..(int)count];
    }

    private static Span<float> Block(GraphLayer layer, long offset, long count, ActivationPlan plan, NativeBlock activations, int batch)
    {
        if (offset < 0) ThrowBadOffset(layer, offset);
        return activations.AsSpan<float>(checked((int)(plan.FixedScratchBytes + offset * batch)), (int)count);
    }

    private static ReadOnlySpan<byte> WeightBytes(NativeBlock weights, long offset, long bytes) =>
        offset == GraphLayer.None || bytes == 0 ? default : weights.AsSpan<byte>((int)offset, (int)bytes);

    private static ReadOnlySpan<float> WeightFloats(NativeBlock weights, long offset, int count) =>
        offset == GraphLayer.None || count == 0 ? default : weights.AsSpan<float>((int)offset, count);

    [DoesNotReturn]
    private static void ThrowTooShort(GraphLayer layer, string name, int length, long count) =>
        throw new ArgumentException($"Layer '{layer.Name}' needs {count} floats of the model's {name}; the span has {length}.", name);

    [DoesNotReturn]
    private static void ThrowBadOffset(GraphLayer layer, long offset) =>
        throw new InvalidOperationException($"Layer '{layer.Name}' has tensor offset {offset}, which is not in the activation block.");

    [DoesNotReturn]
    private static void ThrowUnknownKind(GraphLayer layer) =>
        throw new InvalidOperationException($"Layer '{layer.Name}' has kind {layer.Kind}, which does not execute.");
}
