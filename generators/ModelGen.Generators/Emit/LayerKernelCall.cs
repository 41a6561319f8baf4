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
/// <param name="Prelude">A statement to run before the call (padding the input rows), or null.</param>
internal sealed record LayerKernelCall(string Kernel, IReadOnlyList<string> Arguments, string? Prelude = null)
{
    /// <summary>The call for <paramref name="layer"/> placed at <paramref name="placement"/>.</summary>
    public static LayerKernelCall For(DenseSpec layer, LayerPlan placement, ActivationPlan activations, string input, string output)
    {
        int k = placement.InFeatures, n = placement.OutFeatures;
        var scheme = layer.Scheme;
        var int8Values = layer.Precision == LayerPrecision.Int8;
        var bias = layer.Bias ? Invariant($"w.AsSpan<float>({placement.BiasOffset}, {n})") : "default";
        var activation = "global::ModelGen.Activation." + layer.Activation;
        // The batch, the shape, any scheme parameters and the activation share one line, as a kernel's "dimensions".
        string Dims(string extra = "") => Invariant($"batch, {k}, {n}, {extra}{activation}");
        var rowScales = Invariant($"w.AsSpan<float>({placement.ScaleOffset}, {n})");
        var xq = Invariant($"a.AsSpan<sbyte>({activations.QuantizedInputOffset}, batch * {k})");
        string XScales(int perRow) => Invariant($"a.AsSpan<float>({activations.RowScalesOffset}, batch * {perRow})").Replace("batch * 1)", "batch)");
        string Weights(string type, int elementBytes) =>
            Invariant($"w.AsSpan<{type}>({placement.WeightOffset}, {placement.WeightMatrixBytes / elementBytes})");
        string Values() => int8Values ? Weights("sbyte", 1) : Weights("float", 4);
        string Structure(long bytes) => Invariant($"w.AsSpan<byte>({placement.StructureOffset}, {bytes})");

        if (scheme.Pruning == LayerPruning.TwoOfFour)
        {
            var meta = Structure(SparseSizes.TwoOfFourMetaBytes(n, k));
            return int8Values
                ? new("TwoOfFourInt8", [input, Values(), meta, rowScales, bias, output, Dims(), xq, XScales(1)])
                : new("TwoOfFourFloat32", [input, Values(), meta, bias, output, Dims()]);
        }

        if (scheme.Pruning == LayerPruning.Magnitude && placement.StoredSparse)
        {
            var kept = SparseSizes.KeptPerRow(k, scheme.Sparsity ?? 0);
            var structure = Structure(SparseSizes.UnstructuredStructureBytes(n, k, kept, int8Values));
            var keptText = Invariant($"{kept}");
            return int8Values
                ? new("SparseInt8", [input, Values(), structure, rowScales, bias, output, Dims(keptText + ", "), xq, XScales(1)])
                : new("SparseFloat32", [input, Values(), structure, bias, output, Dims(keptText + ", ")]);
        }

        switch (layer.Precision)
        {
            case LayerPrecision.Int8 when scheme.InputQuantization == LayerInputQuantization.Static:
                var inputScale = Invariant($"w.AsSpan<float>({placement.InputScaleOffset}, 1)[0]");
                return new("Int8Static", [input, inputScale, Weights("sbyte", 1), rowScales, bias, output, Dims(), xq]);
            case LayerPrecision.Int8:
                return new("Int8", [input, Weights("sbyte", 1), rowScales, bias, output, Dims(), xq, XScales(1)]);
            case LayerPrecision.Int4:
            case LayerPrecision.Int4Asymmetric:
                // Rows not a whole number of groups are copied into zero-padded rows; the padding weights are zero.
                var group = scheme.EffectiveGroupSize;
                var padded = LayerSchemeRules.PaddedInFeatures(layer, k);
                var blocks = (long)n * (padded / group);
                var mins = placement.MinOffset >= 0 ? Invariant($"w.AsSpan<ushort>({placement.MinOffset}, {blocks})") : "default";
                string? prelude = null;
                var x = input;
                if (padded != k)
                {
                    x = Invariant($"a.AsSpan<float>({activations.PaddedInputOffset}, batch * {padded})");
                    prelude = Invariant($"global::ModelGen.Kernels.RowPadding.Copy({input}, {x}, batch, {k}, {padded});");
                }

                return new("Int4", [x, Weights("byte", 1), Invariant($"w.AsSpan<ushort>({placement.ScaleOffset}, {blocks})"), mins,
                    bias, output, Invariant($"batch, {padded}, {n}, {group}, {activation}"),
                    Invariant($"a.AsSpan<sbyte>({activations.QuantizedInputOffset}, batch * {padded})"), XScales(padded / group)], prelude);
            case LayerPrecision.Codebook16:
            case LayerPrecision.Codebook256:
                var perRow = layer.Precision == LayerPrecision.Codebook16;
                var centroids = perRow ? 16 : 256;
                var codebook = Invariant($"w.AsSpan<ushort>({placement.CodebookOffset}, {(perRow ? n : 1) * centroids})");
                return new("Codebook", [input, Weights("byte", 1), codebook, bias, output,
                    Dims(Invariant($"{centroids}, {(perRow ? "true" : "false")}, "))]);
            case LayerPrecision.Float32:
                return new("Float32", [input, Weights("float", 4), bias, output, Dims()]);
            default:
                return new(layer.Precision.ToString(), [input, Weights("ushort", 2), bias, output, Dims()]);
        }
    }
}
