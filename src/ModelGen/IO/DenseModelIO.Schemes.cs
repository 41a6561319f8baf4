using System.Buffers;
using System.Runtime.InteropServices;
using ModelGen.Kernels;
using ModelGen.Numerics;
using ModelGen.Quantization;

namespace ModelGen.IO;

/// <summary>
/// Loading layers that use the quantization and pruning schemes (int4, codebooks, static int8 inputs, magnitude and
/// 2:4 pruning, channel pruning): from ModelGen's packed files tensor by tensor, or from a float source by reading the
/// layer's fp32 weights once, dropping pruned channels, and packing them.
/// </summary>
public static partial class DenseModelIO
{
    /// <summary>Finds the packed tensors a scheme layer needs in a ModelGen file, with their exact dtypes and shapes.</summary>
    private static LayerTensors MatchPacked(SafeTensorsFile file, DenseLayer layer)
    {
        PackedTensor[] expected = DenseLayout.Tensors(layer);
        var found = new TensorEntry[expected.Length];
        for (int i = 0; i < expected.Length; i++)
        {
            PackedTensor tensor = expected[i];
            string name = layer.Name + tensor.Suffix;
            if (!file.TryGetTensor(name, out TensorEntry? entry))
            {
                throw new ModelFormatException(
                    $"The ModelGen file has no tensor '{name}': layer '{layer.Name}' ({layer.Storage}) stores {SafeTensorsDTypes.Name(tensor.DType)} " +
                    $"{TensorEntry.FormatShape(tensor.Shape)} there. Was it saved by a model with another scheme?");
            }

            if (entry.DType != tensor.DType || !entry.HasShape(tensor.Shape))
            {
                throw new ModelFormatException(
                    $"Tensor '{name}' is {SafeTensorsDTypes.Name(entry.DType)} {entry.ShapeText}; layer '{layer.Name}' ({layer.Storage}) " +
                    $"stores {SafeTensorsDTypes.Name(tensor.DType)} {TensorEntry.FormatShape(tensor.Shape)}.");
            }

            found[i] = entry;
        }

        return new LayerTensors(null, null, null, found);
    }

    /// <summary>Finds a scheme layer's float source weight [source out, source in] and bias.</summary>
    private static LayerTensors MatchSource(SafeTensorsFile file, DenseLayer layer, LoadOptions options)
    {
        long rows = layer.SourceOutFeatures;
        TensorEntry weight = RequireSource(file, layer, layer.Name + ".weight", "weights", rows, layer.SourceInFeatures);
        TensorEntry? bias = layer.HasBias ? RequireSource(file, layer, layer.Name + ".bias", "bias", rows) : null;
        if (layer.InputQuantization == InputQuantization.Static && options.Calibration is null)
        {
            throw new ModelFormatException(
                $"Layer '{layer.Name}' quantizes its input with a static scale, and this file has none: load a file saved after " +
                "calibration, or pass LoadOptions.Calibration (from DenseCalibration.Calibrate).");
        }

        return new LayerTensors(weight, null, bias);
    }

    private static TensorEntry RequireSource(SafeTensorsFile file, DenseLayer layer, string name, string what, params ReadOnlySpan<long> shape)
    {
        if (!file.TryGetTensor(name, out TensorEntry? tensor))
        {
            throw new ModelFormatException(
                $"The file has no tensor '{name}': layer '{layer.Name}' expects its {what} of shape {TensorEntry.FormatShape(shape)}.");
        }

        if (!tensor.HasShape(shape))
        {
            throw new ModelFormatException(
                $"Tensor '{tensor.Name}' has shape {tensor.ShapeText}; layer '{layer.Name}' ({layer.SourceInFeatures} -> " +
                $"{layer.SourceOutFeatures} in the source file) expects {TensorEntry.FormatShape(shape)}.");
        }

        if (!SafeTensorsDTypes.IsConvertibleFloat(tensor.DType))
        {
            throw new ModelFormatException(
                $"Tensor '{tensor.Name}' has dtype {tensor.DType}; layer '{layer.Name}' ({layer.Storage}) loads from F32, F16, BF16 or F64 " +
                "sources, or from a file ModelGen saved.");
        }

        return tensor;
    }

    /// <summary>Copies a layer's packed tensors and checks their values.</summary>
    private static void FillPacked(SafeTensorsFile file, DenseLayer layer, TensorEntry[] found, NativeBlock block)
    {
        PackedTensor[] tensors = DenseLayout.Tensors(layer);
        for (int i = 0; i < tensors.Length; i++)
        {
            PackedTensor tensor = tensors[i];
            Span<byte> bytes = block.AsSpan<byte>(tensor.Offset, (int)tensor.Bytes);
            file.ReadBytes(found[i], 0, bytes);
            CheckPacked(tensor, found[i], bytes);
        }

        if (layer.Pruning == Pruning.TwoOfFour || layer.StoredSparse)
        {
            SparseStructureCheck.Check(layer, tensors, block);
        }
    }

    /// <summary>Value checks per role: what a kernel would otherwise read as garbage or turn into NaN.</summary>
    private static void CheckPacked(PackedTensor tensor, TensorEntry entry, ReadOnlySpan<byte> bytes)
    {
        switch (tensor.DType)
        {
            case SafeTensorsDType.F32:
                ReadOnlySpan<float> floats = MemoryMarshal.Cast<byte, float>(bytes);
                for (int i = 0; i < floats.Length; i++)
                {
                    bool ok = tensor.Role switch
                    {
                        TensorRole.Scale => float.IsFinite(floats[i]) && floats[i] >= 0,
                        TensorRole.InputScale => float.IsFinite(floats[i]) && floats[i] > 0,
                        _ => float.IsFinite(floats[i]),
                    };
                    if (!ok)
                    {
                        string rule = tensor.Role switch
                        {
                            TensorRole.Scale => "finite and non-negative",
                            TensorRole.InputScale => "finite and positive",
                            _ => "finite",
                        };
                        throw new ModelFormatException(
                            $"Tensor '{entry.Name}' holds {FloatFormat.Describe(floats[i])} at {Position(entry, i)}; its values must be {rule}.");
                    }
                }

                break;
            case SafeTensorsDType.F16:
            case SafeTensorsDType.BF16:
                int bad = FirstNonFinite16(MemoryMarshal.Cast<byte, ushort>(bytes), tensor.DType == SafeTensorsDType.F16, out float value);
                if (bad >= 0)
                {
                    throw new ModelFormatException($"Tensor '{entry.Name}' holds {FloatFormat.Describe(value)} at {Position(entry, bad)}; its values must be finite.");
                }

                break;
            case SafeTensorsDType.I8:
                int outOfRange = MemoryMarshal.Cast<byte, sbyte>(bytes).IndexOf(sbyte.MinValue);
                if (outOfRange >= 0)
                {
                    throw new ModelFormatException(
                        $"Tensor '{entry.Name}' holds -128 at {Position(entry, outOfRange)}; ModelGen int8 weights lie in [-127, 127].");
                }

                break;
        }
    }

    /// <summary>
    /// Reads a scheme layer's fp32 source, keeps the input columns the previous layer kept and this layer's strongest
    /// output rows, and packs the result. Returns the kept output rows (source indices, ascending), or null for all.
    /// </summary>
    private static int[]? FillFromSource(SafeTensorsFile file, DenseLayer layer, LayerTensors tensors, int[]? keptInputs,
        NativeBlock block, LoadOptions options)
    {
        int srcOut = layer.SourceOutFeatures, srcIn = layer.SourceInFeatures;
        int n = layer.OutFeatures, k = layer.InFeatures;
        if ((keptInputs?.Length ?? srcIn) != k)
        {
            throw new InvalidOperationException(
                $"Layer '{layer.Name}' computes {k} inputs, but the previous layer keeps {keptInputs?.Length ?? srcIn} of its outputs.");
        }

        float[] source = ArrayPool<float>.Shared.Rent(checked(srcOut * srcIn));
        float[] dense = ArrayPool<float>.Shared.Rent(checked(n * k));
        try
        {
            Span<float> w = source.AsSpan(0, srcOut * srcIn);
            file.ReadFloat32(tensors.Weight!, 0, w);
            CheckFinite(w, tensors.Weight!, Precision.Float32);
            int[]? keptRows = n < srcOut ? ChannelPruning.Select(w, srcOut, srcIn, keptInputs, n, layer.ChannelNorm) : null;
            Span<float> d = dense.AsSpan(0, n * k);
            ChannelPruning.Gather(w, srcIn, keptRows, keptInputs, d, n, k);
            Pack(layer, d, block, options);

            if (tensors.Bias is not null)
            {
                Span<float> bias = source.AsSpan(0, srcOut);
                file.ReadFloat32(tensors.Bias, 0, bias);
                CheckFinite(bias, tensors.Bias, Precision.Float32);
                Span<float> target = block.AsSpan<float>(layer.BiasOffset, n);
                for (int j = 0; j < n; j++)
                {
                    target[j] = bias[keptRows is null ? j : keptRows[j]];
                }
            }

            return keptRows;
        }
        finally
        {
            ArrayPool<float>.Shared.Return(dense);
            ArrayPool<float>.Shared.Return(source);
        }
    }

    /// <summary>Packs fp32 weights [n, k] (already channel-pruned) into the layer's scheme.</summary>
    private static void Pack(DenseLayer layer, Span<float> w, NativeBlock block, LoadOptions options)
    {
        int n = layer.OutFeatures, k = layer.InFeatures;
        string name = layer.Name + ".weight";
        if (layer.Pruning == Pruning.Magnitude && !layer.StoredSparse)
        {
            // The cost rule keeps this layer dense: prune, then store the zeros.
            MagnitudePruner.ZeroUnstructured(w, n, k, layer.KeptPerRow);
        }

        if (layer.Pruning == Pruning.TwoOfFour || layer.StoredSparse)
        {
            PackSparse(layer, w, block, name);
            return;
        }

        switch (layer.Precision)
        {
            case Precision.Int4:
            case Precision.Int4Asymmetric:
                PackInt4(layer, w, block, name);
                break;
            case Precision.Codebook16:
            case Precision.Codebook256:
                int centroids = DenseLayout.Centroids(layer.Precision);
                bool perRow = layer.Precision == Precision.Codebook16;
                CodebookQuantizer.Quantize(w, n, k, centroids, perRow,
                    block.AsSpan<byte>(layer.WeightOffset, n * CodebookQuantizer.IndexBytesPerRow(k, centroids)),
                    block.AsSpan<ushort>(layer.CodebookOffset, (perRow ? n : 1) * centroids), name);
                break;
            default:
                StoreValues(layer, w, k, block);
                break;
        }

        if (layer.InputQuantization == InputQuantization.Static)
        {
            float scale = options.Calibration!.InputScale(layer.Name);
            if (!float.IsFinite(scale) || scale <= 0)
            {
                throw new ModelFormatException($"The calibration gives layer '{layer.Name}' the input scale {scale}; it must be finite and positive.");
            }

            block.AsSpan<float>(layer.InputScaleOffset, 1)[0] = scale;
        }
    }

    /// <summary>Prunes into the sparse layout: fp32 values, or int8 values quantized per row from the kept weights.</summary>
    private static void PackSparse(DenseLayer layer, ReadOnlySpan<float> w, NativeBlock block, string name)
    {
        int n = layer.OutFeatures, k = layer.InFeatures;
        PackedTensor[] tensors = DenseLayout.Tensors(layer);
        int count = (int)tensors[0].Count;
        Span<byte> structure = block.AsSpan<byte>(layer.StructureOffset, (int)tensors[1].Bytes);
        bool int8 = layer.Precision == Precision.Int8;
        Span<float> scales = int8 ? block.AsSpan<float>(layer.ScaleOffset, n) : default;
        switch (layer.Pruning, int8)
        {
            case (Pruning.TwoOfFour, false):
                MagnitudePruner.PruneTwoOfFour(w, n, k, block.AsSpan<float>(layer.WeightOffset, count), structure, name);
                break;
            case (Pruning.TwoOfFour, true):
                MagnitudePruner.PruneTwoOfFourInt8(w, n, k, block.AsSpan<sbyte>(layer.WeightOffset, count), scales, structure, name);
                break;
            case (_, false):
                MagnitudePruner.PruneUnstructured(w, n, k, layer.KeptPerRow, block.AsSpan<float>(layer.WeightOffset, count), structure, name);
                break;
            default:
                MagnitudePruner.PruneUnstructuredInt8(w, n, k, layer.KeptPerRow, block.AsSpan<sbyte>(layer.WeightOffset, count), scales, structure, name);
                break;
        }
    }

    /// <summary>Quantizes int4 blocks; rows that are not whole groups get zero columns up to the padded width first.</summary>
    private static void PackInt4(DenseLayer layer, ReadOnlySpan<float> w, NativeBlock block, string name)
    {
        int n = layer.OutFeatures, k = layer.InFeatures, padded = DenseLayout.PaddedInFeatures(layer);
        int blocks = n * (padded / layer.GroupSize);
        float[]? rented = padded == k ? null : ArrayPool<float>.Shared.Rent(n * padded);
        try
        {
            ReadOnlySpan<float> source = w;
            if (rented is not null)
            {
                Span<float> wide = rented.AsSpan(0, n * padded);
                RowPadding.Copy(w, wide, n, k, padded);
                source = wide;
            }

            Int4Quantizer.Quantize(source, n, padded, layer.GroupSize, layer.Precision == Precision.Int4Asymmetric,
                block.AsSpan<byte>(layer.WeightOffset, n * padded / 2), block.AsSpan<ushort>(layer.ScaleOffset, blocks),
                layer.MinOffset < 0 ? [] : block.AsSpan<ushort>(layer.MinOffset, blocks), name);
        }
        finally
        {
            if (rented is not null) ArrayPool<float>.Shared.Return(rented);
        }
    }

    /// <summary>Stores rows of <paramref name="cols"/> values at the layer's value precision (fp32, fp16, bf16 or per-row int8).</summary>
    private static void StoreValues(DenseLayer layer, ReadOnlySpan<float> values, int cols, NativeBlock block)
    {
        int count = values.Length, rows = count / cols;
        switch (layer.Precision)
        {
            case Precision.Float32:
                values.CopyTo(block.AsSpan<float>(layer.WeightOffset, count));
                break;
            case Precision.Float16:
                Span<ushort> halves = block.AsSpan<ushort>(layer.WeightOffset, count);
                HalfConversion.FromSingle(values, halves);
                CheckNarrowed(layer, halves);
                break;
            case Precision.BFloat16:
                Span<ushort> bf16 = block.AsSpan<ushort>(layer.WeightOffset, count);
                BFloat16Conversion.FromSingle(values, bf16);
                CheckNarrowed(layer, bf16);
                break;
            case Precision.Int8:
                Int8Quantizer.QuantizeRows(values, rows, cols, block.AsSpan<sbyte>(layer.WeightOffset, count),
                    block.AsSpan<float>(layer.ScaleOffset, rows), layer.Name + ".weight", 0);
                break;
            default:
                throw new InvalidOperationException($"Layer '{layer.Name}' has no per-value storage for {layer.Precision}.");
        }
    }

    private static void CheckNarrowed(DenseLayer layer, ReadOnlySpan<ushort> values)
    {
        int bad = FirstNonFinite16(values, layer.Precision == Precision.Float16, out _);
        if (bad >= 0)
        {
            throw new ModelFormatException(
                $"Weight {bad} of layer '{layer.Name}' (after channel pruning) overflows {layer.Precision}; values must be within its range.");
        }
    }
}
