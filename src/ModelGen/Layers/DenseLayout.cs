using System.Globalization;
using ModelGen.IO;
using ModelGen.Kernels;

namespace ModelGen;

/// <summary>
/// The packed layout of dense layers in a weight block. The generator computes the same numbers at build time
/// (tests check both agree): per layer, in declaration order, each tensor starts on a 64-byte boundary, in the order
/// weight, structure, scale, min, codebook, input scale, bias (those the layer's scheme has).
/// </summary>
public static class DenseLayout
{
    /// <summary>Alignment of every tensor and block, in bytes (a cache line; a multiple of every vector width).</summary>
    public const int Alignment = 64;

    /// <summary>Entries of a <see cref="Precision.Codebook16"/> row codebook.</summary>
    internal const int SmallCodebook = 16;

    /// <summary>Entries of the <see cref="Precision.Codebook256"/> tensor codebook.</summary>
    internal const int LargeCodebook = 256;

    /// <summary>Bytes per weight element of the plain (dense, one value per weight) precisions.</summary>
    public static int ElementBytes(Precision precision) => precision switch
    {
        Precision.Float32 => 4,
        Precision.Float16 or Precision.BFloat16 => 2,
        Precision.Int8 => 1,
        _ => throw new ArgumentOutOfRangeException(nameof(precision), precision, "Not a one-value-per-weight precision."),
    };

    /// <summary>Rounds <paramref name="bytes"/> up to <see cref="Alignment"/>.</summary>
    public static long Align(long bytes) => (bytes + Alignment - 1) & ~(long)(Alignment - 1);

    /// <summary>Bytes of a plain dense weight matrix.</summary>
    public static long WeightMatrixBytes(int inFeatures, int outFeatures, Precision precision) =>
        (long)inFeatures * outFeatures * ElementBytes(precision);

    /// <summary>Bytes of weights, scales and bias of a plain dense layer, without alignment padding.</summary>
    public static long LayerBytes(int inFeatures, int outFeatures, Precision precision, bool hasBias) =>
        WeightMatrixBytes(inFeatures, outFeatures, precision)
        + (precision == Precision.Int8 ? 4L * outFeatures : 0)
        + (hasBias ? 4L * outFeatures : 0);

    /// <summary>Whether <paramref name="precision"/> is one of the two codebook precisions.</summary>
    internal static bool IsCodebook(Precision precision) => precision is Precision.Codebook16 or Precision.Codebook256;

    /// <summary>Whether <paramref name="precision"/> is one of the two int4 precisions.</summary>
    internal static bool IsInt4(Precision precision) => precision is Precision.Int4 or Precision.Int4Asymmetric;

    /// <summary>Entries of each codebook of a codebook layer.</summary>
    internal static int Centroids(Precision precision) => precision == Precision.Codebook16 ? SmallCodebook : LargeCodebook;

    /// <summary>Bytes of every packed tensor of <paramref name="layer"/>, without padding.</summary>
    internal static long Bytes(DenseLayer layer)
    {
        long bytes = 0;
        foreach (PackedTensor tensor in Tensors(layer)) bytes += tensor.Bytes;
        return bytes;
    }

    /// <summary>The packed tensors of <paramref name="layer"/>, in layout order, with their offsets.</summary>
    internal static PackedTensor[] Tensors(DenseLayer layer)
    {
        int n = layer.OutFeatures, k = layer.InFeatures;
        bool int8Values = layer.Precision == Precision.Int8;
        var tensors = new List<PackedTensor>(4);
        switch (layer.Pruning)
        {
            case Pruning.Magnitude when layer.StoredSparse:
                tensors.Add(new(TensorRole.Weight, ".weight", ValueType(layer), [SparseLayout.UnstructuredValueCount(n, k, layer.KeptPerRow)], layer.WeightOffset));
                tensors.Add(new(TensorRole.Structure, ".weight_structure", SafeTensorsDType.U8, [SparseLayout.UnstructuredStructureBytes(n, k, layer.KeptPerRow, int8Values)], layer.StructureOffset));
                break;
            case Pruning.TwoOfFour:
                tensors.Add(new(TensorRole.Weight, ".weight", ValueType(layer), [SparseLayout.TwoOfFourValueCount(n, k)], layer.WeightOffset));
                tensors.Add(new(TensorRole.Structure, ".weight_meta", SafeTensorsDType.U8, [SparseLayout.TwoOfFourMetaBytes(n, k)], layer.StructureOffset));
                break;
            default:
                tensors.Add(new(TensorRole.Weight, ".weight", ValueType(layer), WeightShape(layer.Precision, n, k, layer.GroupSize), layer.WeightOffset));
                break;
        }

        if (int8Values)
        {
            tensors.Add(new(TensorRole.Scale, ".weight_scale", SafeTensorsDType.F32, [n], layer.ScaleOffset));
        }
        else if (IsInt4(layer.Precision))
        {
            long[] blocks = [n, PaddedInFeatures(layer) / layer.GroupSize];
            tensors.Add(new(TensorRole.Scale, ".weight_scale", SafeTensorsDType.F16, blocks, layer.ScaleOffset));
            if (layer.Precision == Precision.Int4Asymmetric)
            {
                tensors.Add(new(TensorRole.Min, ".weight_min", SafeTensorsDType.F16, blocks, layer.MinOffset));
            }
        }
        else if (IsCodebook(layer.Precision))
        {
            long rows = layer.Precision == Precision.Codebook16 ? n : 1;
            tensors.Add(new(TensorRole.Codebook, ".codebook", SafeTensorsDType.F16, [rows, Centroids(layer.Precision)], layer.CodebookOffset));
        }

        if (layer.InputQuantization == InputQuantization.Static)
        {
            tensors.Add(new(TensorRole.InputScale, ".input_scale", SafeTensorsDType.F32, [1], layer.InputScaleOffset));
        }

        if (layer.HasBias)
        {
            tensors.Add(new(TensorRole.Bias, ".bias", SafeTensorsDType.F32, [n], layer.BiasOffset));
        }

        return [.. tensors];
    }

    /// <summary>Readable storage scheme for reports.</summary>
    internal static string DescribeStorage(DenseLayer layer)
    {
        var c = CultureInfo.InvariantCulture;
        string text = layer.Precision switch
        {
            Precision.Int4 or Precision.Int4Asymmetric => string.Create(c, $"{layer.Precision} g{layer.GroupSize}"),
            Precision.Int8 when layer.InputQuantization == InputQuantization.Static => "Int8 static-input",
            _ => layer.Precision.ToString(),
        };
        text += layer.Pruning switch
        {
            Pruning.Magnitude => string.Create(c, $" {layer.Sparsity * 100:0.##}% pruned, stored {(layer.StoredSparse ? "sparse" : "dense")}"),
            Pruning.TwoOfFour => " 2:4",
            _ => "",
        };
        if (layer.OutFeatures != layer.SourceOutFeatures)
        {
            text += string.Create(c, $", {layer.OutFeatures} of {layer.SourceOutFeatures} outputs ({layer.ChannelNorm})");
        }

        return text;
    }

    private static SafeTensorsDType ValueType(DenseLayer layer) => layer.Precision switch
    {
        Precision.Float32 => SafeTensorsDType.F32,
        Precision.Float16 => SafeTensorsDType.F16,
        Precision.BFloat16 => SafeTensorsDType.BF16,
        Precision.Int8 => SafeTensorsDType.I8,
        Precision.Int4 or Precision.Int4Asymmetric or Precision.Codebook16 or Precision.Codebook256 => SafeTensorsDType.U8,
        _ => throw new ArgumentOutOfRangeException(nameof(layer), layer.Precision, "Unknown precision."),
    };

    /// <summary>
    /// The input width an int4 layer stores and computes: whole groups, the padding columns holding zero weights
    /// (generated Forward pads the input rows with zeros through <see cref="RowPadding"/>); other layers' input width.
    /// </summary>
    internal static int PaddedInFeatures(DenseLayer layer) =>
        IsInt4(layer.Precision) && layer.GroupSize > 0 ? RoundUp(layer.InFeatures, layer.GroupSize) : layer.InFeatures;

    private static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;

    private static long[] WeightShape(Precision precision, int n, int k, int groupSize) => precision switch
    {
        Precision.Int4 or Precision.Int4Asymmetric => [n, RoundUp(k, groupSize) / 2],
        Precision.Codebook16 => [n, (k + 1) / 2],
        _ => [n, k],
    };
}
