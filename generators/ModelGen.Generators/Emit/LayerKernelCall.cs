using System.Collections.Generic;
using ModelGen.Generators.Model;
using static ModelGen.Generators.Emit.ModelEmitter;

namespace ModelGen.Generators.Emit;

/// <summary>
/// The <c>DenseKernels</c> entry point and literal arguments for one layer of <c>Forward</c>, chosen by its precision,
/// pruning and input quantization. <c>w</c> is the weight block, <c>a</c> the activation block.
/// </summary>
/// <param name="Kernel">The <c>DenseKernels</c> method.</param>
/// <param name="Arguments">Its arguments, in order.</param>
internal sealed record LayerKernelCall(string Kernel, IReadOnlyList<string> Arguments)
{
    /// <summary>
    /// The call for <paramref name="layer"/> placed at <paramref name="placement"/>, on <paramref name="rows"/> rows
    /// (<c>batch</c>, or a chunk's <c>rows</c>) of <paramref name="x"/> [rows, <paramref name="k"/>] (an int4 layer's
    /// padded width) into <paramref name="y"/>.
    /// </summary>
    public static LayerKernelCall For(DenseSpec layer, LayerPlan placement, ActivationPlan activations, string x, string y, string rows, int k)
    {
        var n = placement.OutFeatures;
        var scheme = layer.Scheme;
        var int8Values = layer.Precision == LayerPrecision.Int8;
        var bias = layer.Bias ? Invariant($"w.AsSpan<float>({placement.BiasOffset}, {n})") : "default";
        var activation = "global::ModelGen.Activation." + layer.Activation;
        // The rows, the shape, any scheme parameters and the activation share one line, as a kernel's "dimensions".
        string Dims(string extra = "") => Invariant($"{rows}, {k}, {n}, {extra}{activation}");
        var rowScales = Invariant($"w.AsSpan<float>({placement.ScaleOffset}, {n})");
        var xq = Invariant($"a.AsSpan<sbyte>({activations.QuantizedInputOffset}, {rows} * {k})");
        string XScales(int perRow) => perRow == 1
            ? Invariant($"a.AsSpan<float>({activations.RowScalesOffset}, {rows})")
            : Invariant($"a.AsSpan<float>({activations.RowScalesOffset}, {rows} * {perRow})");
        string Weights(string type, int elementBytes) =>
            Invariant($"w.AsSpan<{type}>({placement.WeightOffset}, {placement.WeightMatrixBytes / elementBytes})");
        string Values() => int8Values ? Weights("sbyte", 1) : Weights("float", 4);
        string Structure(long bytes) => Invariant($"w.AsSpan<byte>({placement.StructureOffset}, {bytes})");

        if (scheme.Pruning == LayerPruning.TwoOfFour)
        {
            var meta = Structure(SparseSizes.TwoOfFourMetaBytes(n, k));
            return int8Values
                ? new("TwoOfFourInt8", [x, Values(), meta, rowScales, bias, y, Dims(), xq, XScales(1)])
                : new("TwoOfFourFloat32", [x, Values(), meta, bias, y, Dims()]);
        }

        if (scheme.Pruning == LayerPruning.Magnitude && placement.StoredSparse)
        {
            var kept = SparseSizes.KeptPerRow(k, scheme.Sparsity ?? 0);
            var structure = Structure(SparseSizes.UnstructuredStructureBytes(n, k, kept, int8Values));
            var keptText = Invariant($"{kept}, ");
            return int8Values
                ? new("SparseInt8", [x, Values(), structure, rowScales, bias, y, Dims(keptText), xq, XScales(1)])
                : new("SparseFloat32", [x, Values(), structure, bias, y, Dims(keptText)]);
        }

        switch (layer.Precision)
        {
            case LayerPrecision.Int8 when scheme.InputQuantization == LayerInputQuantization.Static:
                var inputScale = Invariant($"w.AsSpan<float>({placement.InputScaleOffset}, 1)[0]");
                return new("Int8Static", [x, inputScale, Weights("sbyte", 1), rowScales, bias, y, Dims(), xq]);
            case LayerPrecision.Int8:
                return new("Int8", [x, Weights("sbyte", 1), rowScales, bias, y, Dims(), xq, XScales(1)]);
            case LayerPrecision.Int4:
            case LayerPrecision.Int4Asymmetric:
                var group = scheme.EffectiveGroupSize;
                var blocks = (long)n * (k / group);
                var mins = placement.MinOffset >= 0 ? Invariant($"w.AsSpan<ushort>({placement.MinOffset}, {blocks})") : "default";
                return new("Int4", [x, Weights("byte", 1), Invariant($"w.AsSpan<ushort>({placement.ScaleOffset}, {blocks})"), mins,
                    bias, y, Dims(Invariant($"{group}, ")), xq, XScales(k / group)]);
            case LayerPrecision.Codebook16:
            case LayerPrecision.Codebook256:
                var perRow = layer.Precision == LayerPrecision.Codebook16;
                var centroids = perRow ? 16 : 256;
                var codebook = Invariant($"w.AsSpan<ushort>({placement.CodebookOffset}, {(perRow ? n : 1) * centroids})");
                return new("Codebook", [x, Weights("byte", 1), codebook, bias, y,
                    Dims(Invariant($"{centroids}, {(perRow ? "true" : "false")}, "))]);
            case LayerPrecision.Float32:
                return new("Float32", [x, Weights("float", 4), bias, y, Dims()]);
            default:
                return new(layer.Precision.ToString(), [x, Weights("ushort", 2), bias, y, Dims()]);
        }
    }
}
