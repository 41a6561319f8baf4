using ModelGen.Kernels;

namespace ModelGen.Graph;

/// <summary>What each layer kind stores in the weight block and needs as scratch: the one place executor, validation and IO agree on.</summary>
internal static class GraphLayout
{
    /// <summary>Bytes per weight at <paramref name="precision"/>; 0 for precisions graph layers do not support.</summary>
    public static int ElementBytes(Precision precision) => precision switch
    {
        Precision.Float32 => 4,
        Precision.Float16 or Precision.BFloat16 => 2,
        Precision.Int8 => 1,
        _ => 0,
    };

    /// <summary>Whether the layer has tensors in the weight file: Dense, Conv2d, a standalone BatchNorm, LayerNorm.</summary>
    public static bool IsWeighted(GraphLayer layer) => layer.Kind switch
    {
        LayerKind.Dense or LayerKind.Conv2d or LayerKind.LayerNorm => true,
        LayerKind.BatchNorm2d => layer.Executes,
        _ => false,
    };

    /// <summary>Whether the weights are stored in the layer's precision (Dense, Conv2d) rather than as fp32 parameters.</summary>
    public static bool HasPrecisionWeights(GraphLayer layer) => layer.Kind is LayerKind.Dense or LayerKind.Conv2d;

    /// <summary>Input features of a Dense layer (the input's last dimension).</summary>
    public static int InFeatures(GraphLayer layer) => layer.InputShape[^1];

    /// <summary>Output features of a Dense layer.</summary>
    public static int OutFeatures(GraphLayer layer) => layer.OutputShape[^1];

    /// <summary>Entries of the scale and bias vectors: output channels or features, BatchNorm channels, LayerNorm width.</summary>
    public static int Channels(GraphLayer layer) => layer.Kind switch
    {
        LayerKind.Dense => OutFeatures(layer),
        LayerKind.Conv2d => layer.Window.OutChannels,
        LayerKind.BatchNorm2d => layer.InputShape[0],
        LayerKind.LayerNorm => layer.InputShape[^1],
        _ => 0,
    };

    /// <summary>Weights per output channel (Dense and Conv2d), 1 for the per-channel parameters of the norms.</summary>
    public static int PerChannel(GraphLayer layer) => layer.Kind switch
    {
        LayerKind.Dense => InFeatures(layer),
        LayerKind.Conv2d => layer.Window.WeightsPerOutChannel,
        _ => 1,
    };

    /// <summary>Bytes of the weights at <see cref="GraphLayer.WeightOffset"/>.</summary>
    public static long WeightBytes(GraphLayer layer) =>
        !IsWeighted(layer) ? 0
        : HasPrecisionWeights(layer) ? (long)Channels(layer) * PerChannel(layer) * ElementBytes(layer.Precision)
        : Channels(layer) * 4L;

    /// <summary>Whether the layer has int8 per-output-channel scales.</summary>
    public static bool HasScales(GraphLayer layer) => HasPrecisionWeights(layer) && layer.Precision == Precision.Int8;

    /// <summary>
    /// Whether the layer stores a calibrated input scale (one fp32 at <see cref="GraphLayer.InputScaleOffset"/>): an Int8
    /// Dense or Conv2d layer with <see cref="InputQuantization.Static"/>.
    /// </summary>
    public static bool HasInputScale(GraphLayer layer) => HasScales(layer) && layer.InputQuantization == InputQuantization.Static;

    /// <summary>Whether the layer has a bias slot: its own bias, a folded BatchNorm's, a BatchNorm's shift or LayerNorm's beta.</summary>
    public static bool HasBiasSlot(GraphLayer layer) =>
        IsWeighted(layer) && (!HasPrecisionWeights(layer) || layer.HasBias || layer.FoldedBatchNorm is not null);

    /// <summary>A <see cref="Conv2dShape"/> in the netstandard-friendly form <see cref="GraphScratch"/> takes.</summary>
    public static ConvGeometry Geometry(in Conv2dShape s) =>
        new(s.InChannels, s.OutChannels, s.InHeight, s.InWidth, s.KernelHeight, s.KernelWidth, s.StrideHeight,
            s.StrideWidth, s.PaddingHeight, s.PaddingWidth, s.DilationHeight, s.DilationWidth, s.Groups);

    /// <summary>Fixed-region scratch bytes the layer needs (<see cref="GraphScratch.ConvBytes"/> for convolutions).</summary>
    public static long ScratchBytes(GraphLayer layer) =>
        layer.Kind == LayerKind.Conv2d ? GraphScratch.ConvBytes((int)layer.Precision, Geometry(layer.Window)) : 0;

    /// <summary>Rows a Dense layer runs per sample: the input's elements over its last dimension.</summary>
    public static int DenseRowsPerSample(GraphLayer layer) => layer.InputSize / InFeatures(layer);

    /// <summary>
    /// Per-sample row scratch bytes: an int8 Dense layer's quantized rows, then their fp32 scales
    /// (<see cref="GraphScratch.DenseRowBytes"/> for one row per sample).
    /// </summary>
    public static long RowScratchBytes(GraphLayer layer)
    {
        if (layer.Kind != LayerKind.Dense || layer.Precision != Precision.Int8) return 0;
        int rows = DenseRowsPerSample(layer);
        return rows == 1
            ? GraphScratch.DenseRowBytes((int)layer.Precision, InFeatures(layer))
            : GraphScratch.Align((long)rows * InFeatures(layer)) + GraphScratch.Align(rows * 4L);
    }
}
