namespace ModelGen.Generators.Model;

/// <summary>
/// The memory plan of a model, computed at build time: where each layer's tensors sit in the weight block and how the
/// activation block is split. Offsets are bytes; -1 marks an absent tensor or buffer.
/// </summary>
/// <param name="Layers">Per-layer placement, in layer order.</param>
/// <param name="WeightBlockBytes">Size of the native weight block, padding included (at least one alignment unit).</param>
/// <param name="WeightBytes">Sum of the layers' bytes at their precisions, without padding.</param>
/// <param name="Float32WeightBytes">The same sum if every layer were fp32.</param>
/// <param name="Activations">The activation block layout.</param>
/// <param name="MemoryBudgetBytes">The parsed <c>MemoryBudget</c>, or null when none is set.</param>
internal sealed record ModelPlan(
    EquatableArray<LayerPlan> Layers,
    long WeightBlockBytes,
    long WeightBytes,
    long Float32WeightBytes,
    ActivationPlan Activations,
    long? MemoryBudgetBytes)
{
    /// <summary>Native bytes one instance allocates.</summary>
    public long TotalBytes => WeightBlockBytes + Activations.BlockBytes;
}

/// <summary>Where one layer's tensors sit in the weight block (the runtime's <c>DenseLayout</c> rule).</summary>
/// <param name="WeightOffset">Offset of the packed [out, in] weight matrix.</param>
/// <param name="WeightMatrixBytes">Bytes of the weight matrix at the layer's precision.</param>
/// <param name="ScaleOffset">Offset of the fp32 per-output-channel scales (Int8 only), else -1.</param>
/// <param name="BiasOffset">Offset of the fp32 bias, else -1.</param>
/// <param name="End">First byte after the layer's last tensor, before alignment.</param>
/// <param name="Bytes">Weights, scales and bias at the layer's precision, without padding.</param>
/// <param name="Float32Bytes">The same layer's bytes in fp32.</param>
internal sealed record LayerPlan(
    long WeightOffset,
    long WeightMatrixBytes,
    long ScaleOffset,
    long BiasOffset,
    long End,
    long Bytes,
    long Float32Bytes);

/// <summary>
/// The activation block: the outputs of all but the last layer alternate between buffers A (even layers) and B (odd
/// layers), each sized for its widest output at MaxBatch; Int8 layers add scratch for the quantized input rows (Q) and
/// their scales (S). Each buffer starts on a 64-byte boundary.
/// </summary>
/// <param name="BufferAOffset">Offset of buffer A, or -1 when no layer writes to it.</param>
/// <param name="BufferBOffset">Offset of buffer B, or -1.</param>
/// <param name="QuantizedInputOffset">Offset of the int8 input rows, or -1 without Int8 layers.</param>
/// <param name="RowScalesOffset">Offset of the fp32 row scales, or -1 without Int8 layers.</param>
/// <param name="BlockBytes">Size of the native activation block (at least one alignment unit).</param>
/// <param name="BytesPerSample">Activation and scratch bytes one sample needs, without padding.</param>
internal sealed record ActivationPlan(
    long BufferAOffset,
    long BufferBOffset,
    long QuantizedInputOffset,
    long RowScalesOffset,
    long BlockBytes,
    long BytesPerSample)
{
    /// <summary>Offset of the buffer that receives the output of layer <paramref name="layerIndex"/> (not the last).</summary>
    public long OutputOffset(int layerIndex) => layerIndex % 2 == 0 ? BufferAOffset : BufferBOffset;
}
