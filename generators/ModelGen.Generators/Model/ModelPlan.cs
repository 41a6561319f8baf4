using ModelGen.Generators.Model.Graph;

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
/// <param name="Graph">
/// A graph model's plan; then <paramref name="Layers"/> is empty and <paramref name="Activations"/> holds only the block
/// size and the planned bytes per sample.
/// </param>
internal sealed record ModelPlan(
    EquatableArray<LayerPlan> Layers,
    long WeightBlockBytes,
    long WeightBytes,
    long Float32WeightBytes,
    ActivationPlan Activations,
    long? MemoryBudgetBytes,
    GraphModelPlan? Graph = null)
{
    /// <summary>Native bytes one instance allocates.</summary>
    public long TotalBytes => WeightBlockBytes + Activations.BlockBytes;
}

/// <summary>Where one layer's tensors sit in the weight block (the runtime's <c>DenseLayout</c> rule).</summary>
/// <param name="InFeatures">Input width the layer computes with (after the previous layer's channel pruning).</param>
/// <param name="OutFeatures">Output width it computes (after its own channel pruning).</param>
/// <param name="StoredSparse">Whether a magnitude-pruned layer is stored sparse (the cost rule's choice).</param>
/// <param name="WeightOffset">Offset of the weight tensor.</param>
/// <param name="WeightMatrixBytes">Bytes of the weight tensor.</param>
/// <param name="ScaleOffset">Offset of the weight scales (Int8 rows, Int4 blocks), else -1.</param>
/// <param name="BiasOffset">Offset of the fp32 bias, else -1.</param>
/// <param name="StructureOffset">Offset of the sparse structure or 2:4 metadata, else -1.</param>
/// <param name="MinOffset">Offset of the Int4Asymmetric minimums, else -1.</param>
/// <param name="CodebookOffset">Offset of the codebook, else -1.</param>
/// <param name="InputScaleOffset">Offset of the static input scale, else -1.</param>
/// <param name="End">First byte after the layer's last tensor, before alignment.</param>
/// <param name="Bytes">All the layer's tensors, without padding.</param>
/// <param name="Float32Bytes">The unpruned source layer's bytes in fp32.</param>
internal sealed record LayerPlan(
    int InFeatures,
    int OutFeatures,
    bool StoredSparse,
    long WeightOffset,
    long WeightMatrixBytes,
    long ScaleOffset,
    long BiasOffset,
    long StructureOffset,
    long MinOffset,
    long CodebookOffset,
    long InputScaleOffset,
    long End,
    long Bytes,
    long Float32Bytes);

/// <summary>
/// The activation block: the outputs of all but the last layer alternate between buffers A (even layers) and B (odd
/// layers), each sized for its widest output at MaxBatch; layers that quantize their input (int8, int4) add scratch for
/// the quantized rows (Q) and their scales (S: one per row, or one per int4 block). Each buffer starts on a 64-byte boundary.
/// </summary>
/// <param name="BufferAOffset">Offset of buffer A, or -1 when no layer writes to it.</param>
/// <param name="BufferBOffset">Offset of buffer B, or -1.</param>
/// <param name="QuantizedInputOffset">Offset of the int8 input rows, or -1 without Int8 layers.</param>
/// <param name="RowScalesOffset">Offset of the fp32 row scales, or -1 without Int8 layers.</param>
/// <param name="BlockBytes">Size of the native activation block (at least one alignment unit).</param>
/// <param name="BytesPerSample">Activation and scratch bytes one sample needs, without padding.</param>
/// <param name="StagedInputOffset">Offset of the fp32 input rows of a chunk (X, <see cref="ModelLimits.ChunkRows"/> rows:
/// widened 16-bit activations, or an int4 layer's zero-padded rows; not counted per sample), or -1.</param>
/// <param name="StagedOutputOffset">Offset of the fp32 output rows of a chunk before narrowing to 16 bits (Y), or -1.</param>
/// <param name="HalfActivations">Whether buffers A and B hold 16-bit values.</param>
internal sealed record ActivationPlan(
    long BufferAOffset,
    long BufferBOffset,
    long QuantizedInputOffset,
    long RowScalesOffset,
    long BlockBytes,
    long BytesPerSample,
    long StagedInputOffset = -1,
    long StagedOutputOffset = -1,
    bool HalfActivations = false)
{
    /// <summary>Offset of the buffer that receives the output of layer <paramref name="layerIndex"/> (not the last).</summary>
    public long OutputOffset(int layerIndex) => layerIndex % 2 == 0 ? BufferAOffset : BufferBOffset;
}
