using System.Runtime.InteropServices;
using ModelGen.IO;
using ModelGen.Numerics;
using ModelGen.Quantization;

namespace ModelGen.Graph;

/// <summary>
/// Loads and saves the weight block of a graph model. Per weighted layer the source file holds PyTorch's state_dict
/// names: Dense <c>{Name}.weight</c> <c>[out, in]</c>, Conv2d <c>{Name}.weight</c> <c>[out, in / groups, kh, kw]</c>,
/// each with <c>{Name}.bias</c> when <see cref="GraphLayer.HasBias"/>; BatchNorm2d <c>.weight</c>, <c>.bias</c>,
/// <c>.running_mean</c>, <c>.running_var</c> (its <c>.num_batches_tracked</c> is ignored); LayerNorm <c>.weight</c>
/// and <c>.bias</c>; in F32, F16, BF16 (or F64).
/// </summary>
/// <remarks>
/// A BatchNorm folded into a convolution (<see cref="GraphLayer.FoldedBatchNorm"/>) is folded at load with
/// <see cref="BatchNormFolding"/>, in fp32 before any rounding; then Float16/BFloat16 weights round to nearest even and
/// Int8 weights are quantized per output channel with <see cref="Int8Quantizer"/>. A standalone BatchNorm is stored as
/// fp32 <c>scale = gamma / sqrt(var + eps)</c> and <c>shift = beta - mean * scale</c>. Files written by
/// <see cref="Save"/> hold these packed tensors and load back bit for bit.
/// </remarks>
public static class GraphModelIO
{
    /// <summary>The <c>modelgen.graph</c> metadata key marking a packed graph file (its value is the layout version).</summary>
    public const string GraphMarker = "modelgen.graph";

    /// <summary>The packed graph layout this runtime writes and reads.</summary>
    public const string GraphLayoutVersion = "1";

    // Floats of weights converted per step while loading (256 KiB), at least one output channel's.
    private const int ChunkFloats = 64 * 1024;

    /// <summary>
    /// Reads every weighted layer of <paramref name="layers"/> from a safetensors stream (PyTorch state_dict names:
    /// <c>{Name}.weight</c>, <c>{Name}.bias</c>, BatchNorm's <c>.running_mean</c>/<c>.running_var</c>), folds BatchNorm,
    /// converts to each layer's precision and packs into a new weight block of <paramref name="weightBlockBytes"/>.
    /// </summary>
    /// <exception cref="ModelFormatException">The file is malformed or truncated, or a tensor is missing, unused, of the
    /// wrong shape or dtype, or holds a value that is not finite (or a negative BatchNorm variance); or a layer with
    /// <see cref="InputQuantization.Static"/> has no input scale: a packed file must hold <c>{Name}.input_scale</c>
    /// (finite, positive), a source file needs <see cref="LoadOptions.Calibration"/>.</exception>
    /// <exception cref="InvalidOperationException">The layers' weight offsets do not fit the block.</exception>
    public static NativeBlock Load(Stream stream, string modelName, IReadOnlyList<GraphLayer> layers, long weightBlockBytes, LoadOptions? options)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(modelName);
        ArgumentNullException.ThrowIfNull(layers);
        options ??= LoadOptions.Default;
        CheckLayout(modelName, layers, weightBlockBytes);

        using SafeTensorsFile file = SafeTensorsFile.Open(stream, options.MaxBufferedBytes);
        bool packed = IsPackedFile(file);

        // Every tensor is matched from the header first: a file that does not fit fails before any allocation.
        var matched = new List<(GraphLayer Layer, Tensors Tensors)>();
        var used = new HashSet<TensorEntry>(ReferenceEqualityComparer.Instance);
        foreach (GraphLayer layer in layers)
        {
            if (!GraphLayout.IsWeighted(layer)) continue;
            Tensors tensors = packed ? MatchPacked(file, layer) : MatchSource(file, layers, layer);
            if (!packed && GraphLayout.HasInputScale(layer)) tensors = tensors with { CalibratedScale = CalibratedScale(layer, options) };
            foreach (TensorEntry? t in tensors.All) if (t is not null) used.Add(t);
            matched.Add((layer, tensors));
        }
        if (!options.IgnoreExtraTensors) CheckNoExtraTensors(file, modelName, used);

        var block = new NativeBlock(weightBlockBytes);
        try
        {
            // Weights stream through one small buffer, a few output channels at a time (read, BatchNorm folded, converted
            // into the block): loading holds the weight block and this buffer, never a whole fp32 tensor.
            int widest = packed || matched.Count == 0 ? 0 : matched.Max(static m => GraphLayout.PerChannel(m.Layer));
            float[] rows = new float[Math.Max(widest, ChunkFloats)];
            foreach ((GraphLayer layer, Tensors tensors) in matched)
            {
                if (packed) FillPacked(file, layer, tensors, block);
                else FillFromSource(file, layers, layer, tensors, block, rows);
                if (GraphLayout.HasInputScale(layer) && !packed)
                    block.AsSpan<float>((int)layer.InputScaleOffset, 1)[0] = tensors.CalibratedScale;
            }
            return block;
        }
        catch
        {
            block.Dispose(); // never hand out, nor leak, a half-filled block
            throw;
        }
    }

    /// <summary>
    /// Writes the packed tensors of every weighted layer as they are in <paramref name="weights"/>: <c>{Name}.weight</c>
    /// (I8, F16, BF16 or F32; a standalone BatchNorm's scale), <c>{Name}.weight_scale</c> (int8), <c>{Name}.bias</c>
    /// (folded BatchNorm included; a standalone BatchNorm's shift), <c>{Name}.input_scale</c> <c>[1]</c> F32 (layers with
    /// <see cref="InputQuantization.Static"/>), with <c>__metadata__</c> <c>format</c> =
    /// <see cref="DenseModelIO.FormatName"/> and <see cref="GraphMarker"/>. <see cref="Load"/> reads it back bit for bit.
    /// </summary>
    public static void Save(Stream stream, string modelName, IReadOnlyList<GraphLayer> layers, NativeBlock weights)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(modelName);
        ArgumentNullException.ThrowIfNull(layers);
        ArgumentNullException.ThrowIfNull(weights);
        CheckLayout(modelName, layers, weights.Length);

        ReadOnlyMemory<byte> block = new NativeBlockMemory(weights).Memory;
        var writer = new SafeTensorsWriter();
        writer.AddMetadata("format", DenseModelIO.FormatName);
        writer.AddMetadata("modelgen.version", DenseModelIO.FormatVersion);
        writer.AddMetadata(GraphMarker, GraphLayoutVersion);
        writer.AddMetadata("modelgen.model", modelName);
        foreach (GraphLayer layer in layers)
        {
            if (!GraphLayout.IsWeighted(layer)) continue;
            writer.AddMetadata($"modelgen.layer.{layer.Name}.precision", layer.Precision.ToString());
            long channels = GraphLayout.Channels(layer);
            writer.AddTensor(layer.Name + ".weight", PackedDType(layer), block.Slice((int)layer.WeightOffset, (int)GraphLayout.WeightBytes(layer)),
                WeightShape(layer));
            if (GraphLayout.HasScales(layer))
                writer.AddTensor(layer.Name + ".weight_scale", SafeTensorsDType.F32, block.Slice((int)layer.ScaleOffset, (int)channels * 4), channels);
            if (GraphLayout.HasBiasSlot(layer))
                writer.AddTensor(layer.Name + ".bias", SafeTensorsDType.F32, block.Slice((int)layer.BiasOffset, (int)channels * 4), channels);
            if (GraphLayout.HasInputScale(layer))
                writer.AddTensor(layer.Name + ".input_scale", SafeTensorsDType.F32, block.Slice((int)layer.InputScaleOffset, 4), 1);
        }
        writer.WriteTo(stream);
    }

    private static bool IsPackedFile(SafeTensorsFile file)
    {
        if (!file.Metadata.TryGetValue("format", out string? format) || format != DenseModelIO.FormatName) return false;
        if (!file.Metadata.TryGetValue(GraphMarker, out string? version))
            throw new ModelFormatException($"The file is a ModelGen dense model file (no '{GraphMarker}' metadata), not a graph model's.");
        if (version != GraphLayoutVersion)
            throw new ModelFormatException($"The file is ModelGen graph layout version '{version}'; this runtime reads version {GraphLayoutVersion}.");
        return true;
    }

    /// <summary>A layer's tensors: weight, int8 scale, bias, and a (folded or standalone) BatchNorm's four parameters.</summary>
    private sealed record Tensors(TensorEntry Weight, TensorEntry? Scale, TensorEntry? Bias,
        TensorEntry? Gamma = null, TensorEntry? Beta = null, TensorEntry? Mean = null, TensorEntry? Variance = null, float Epsilon = 0)
    {
        /// <summary>A packed file's <c>{Name}.input_scale</c> of a static layer.</summary>
        public TensorEntry? InputScale { get; init; }

        /// <summary>A source file's static layer: its input scale from <see cref="LoadOptions.Calibration"/>.</summary>
        public float CalibratedScale { get; init; }

        public IEnumerable<TensorEntry?> All => [Weight, Scale, Bias, Gamma, Beta, Mean, Variance, InputScale];
    }

    private static Tensors MatchSource(SafeTensorsFile file, IReadOnlyList<GraphLayer> layers, GraphLayer layer)
    {
        long channels = GraphLayout.Channels(layer);
        if (layer.Kind == LayerKind.BatchNorm2d)
        {
            (TensorEntry gamma, TensorEntry beta, TensorEntry mean, TensorEntry variance) = MatchBatchNorm(file, layer, layer.Name, channels);
            return new Tensors(gamma, null, beta, gamma, beta, mean, variance, layer.Epsilon);
        }

        TensorEntry weight = RequireFloat(file, layer, layer.Name + ".weight", "weights", WeightShape(layer));
        bool hasBias = layer.Kind == LayerKind.LayerNorm || layer.HasBias;
        TensorEntry? bias = hasBias ? RequireFloat(file, layer, layer.Name + ".bias", "bias", channels) : null;
        if (layer.Kind != LayerKind.Conv2d || layer.FoldedBatchNorm is not { } bnName) return new Tensors(weight, null, bias);

        GraphLayer? bn = layers.FirstOrDefault(l => l.Name == bnName && l.Kind == LayerKind.BatchNorm2d);
        if (bn is null)
            throw new InvalidOperationException($"Layer '{layer.Name}' folds BatchNorm '{bnName}', which is not a BatchNorm2d layer of the plan.");
        (TensorEntry g, TensorEntry b, TensorEntry m, TensorEntry v) = MatchBatchNorm(file, layer, bnName, channels);
        return new Tensors(weight, null, bias, g, b, m, v, bn.Epsilon);
    }

    private static (TensorEntry, TensorEntry, TensorEntry, TensorEntry) MatchBatchNorm(SafeTensorsFile file, GraphLayer layer, string prefix, long channels) =>
        (RequireFloat(file, layer, prefix + ".weight", "BatchNorm weight", channels),
         RequireFloat(file, layer, prefix + ".bias", "BatchNorm bias", channels),
         RequireFloat(file, layer, prefix + ".running_mean", "BatchNorm running mean", channels),
         RequireFloat(file, layer, prefix + ".running_var", "BatchNorm running variance", channels));

    private static Tensors MatchPacked(SafeTensorsFile file, GraphLayer layer)
    {
        long channels = GraphLayout.Channels(layer);
        TensorEntry weight = Require(file, layer, layer.Name + ".weight", "packed weights", WeightShape(layer));
        CheckDType(weight, layer, PackedDType(layer));
        TensorEntry? scale = null, bias = null;
        if (GraphLayout.HasScales(layer))
        {
            scale = Require(file, layer, layer.Name + ".weight_scale", "int8 weight scales", channels);
            CheckDType(scale, layer, SafeTensorsDType.F32);
        }
        if (GraphLayout.HasBiasSlot(layer))
        {
            bias = Require(file, layer, layer.Name + ".bias", "bias", channels);
            CheckDType(bias, layer, SafeTensorsDType.F32);
        }
        if (!GraphLayout.HasInputScale(layer)) return new Tensors(weight, scale, bias);

        TensorEntry inputScale = Require(file, layer, layer.Name + ".input_scale", "calibrated input scale (static int8 input)", 1);
        CheckDType(inputScale, layer, SafeTensorsDType.F32);
        return new Tensors(weight, scale, bias) { InputScale = inputScale };
    }

    private static void FillFromSource(SafeTensorsFile file, IReadOnlyList<GraphLayer> layers, GraphLayer layer, Tensors t, NativeBlock block,
        float[] buffer)
    {
        int channels = GraphLayout.Channels(layer);
        if (layer.Kind == LayerKind.BatchNorm2d)
        {
            (float[] gamma, float[] beta, float[] mean, float[] variance) = ReadBatchNorm(file, t);
            Span<float> scale = block.AsSpan<float>((int)layer.WeightOffset, channels), shift = block.AsSpan<float>((int)layer.BiasOffset, channels);
            for (int c = 0; c < channels; c++)
            {
                double s = gamma[c] / Math.Sqrt((double)variance[c] + layer.Epsilon);
                scale[c] = (float)s;
                shift[c] = (float)(beta[c] - mean[c] * s);
            }
            return;
        }

        float[] bias = t.Bias is null ? new float[channels] : ReadFinite(file, t.Bias);
        var norm = t.Gamma is null ? default : ReadBatchNorm(file, t);
        int perChannel = GraphLayout.PerChannel(layer), chunkRows = Math.Max(1, buffer.Length / perChannel);
        for (int first = 0; first < channels; first += chunkRows)
        {
            int rows = Math.Min(chunkRows, channels - first);
            Span<float> weights = buffer.AsSpan(0, rows * perChannel);
            ReadFinite(file, t.Weight, (long)first * perChannel, weights);
            if (t.Gamma is not null)
                BatchNormFolding.Fold(weights, bias.AsSpan(first, rows), norm.Item1.AsSpan(first, rows), norm.Item2.AsSpan(first, rows),
                    norm.Item3.AsSpan(first, rows), norm.Item4.AsSpan(first, rows), t.Epsilon, rows, perChannel);
            StoreWeights(layer, t.Weight, weights, first, rows, block);
        }

        if (GraphLayout.HasBiasSlot(layer))
            bias.CopyTo(block.AsSpan<float>((int)layer.BiasOffset, channels));
    }

    // Stores rows [first, first + rows) of the output channels (weights holds exactly those rows) at the layer's precision.
    private static void StoreWeights(GraphLayer layer, TensorEntry source, ReadOnlySpan<float> weights, int first, int rows, NativeBlock block)
    {
        int count = weights.Length, start = first * (count / rows);
        switch (GraphLayout.HasPrecisionWeights(layer) ? layer.Precision : Precision.Float32)
        {
            case Precision.Float32:
                weights.CopyTo(block.AsSpan<float>((int)layer.WeightOffset + start * sizeof(float), count));
                break;
            case Precision.Float16 or Precision.BFloat16:
                Span<ushort> bits = block.AsSpan<ushort>((int)layer.WeightOffset + start * sizeof(ushort), count);
                bool half = layer.Precision == Precision.Float16;
                if (half) HalfConversion.FromSingle(weights, bits);
                else BFloat16Conversion.FromSingle(weights, bits);
                int bad = DenseModelIO.FirstNonFinite16(bits, half, out _);
                if (bad >= 0)
                    throw new ModelFormatException(
                        $"Tensor '{source.Name}' holds {FloatFormat.Describe(weights[bad])} at {DenseModelIO.Position(source, start + bad)}"
                        + $"{(layer.FoldedBatchNorm is null ? "" : " (after folding BatchNorm)")}, which is out of {layer.Precision}'s range.");
                break;
            case Precision.Int8:
                Int8Quantizer.QuantizeRows(weights, rows, count / rows, block.AsSpan<sbyte>((int)layer.WeightOffset + start, count),
                    block.AsSpan<float>((int)layer.ScaleOffset + first * sizeof(float), rows), source.Name, first);
                break;
            default:
                throw new InvalidOperationException($"Layer '{layer.Name}' has precision {layer.Precision}, which graph layers do not support.");
        }
    }

    private static (float[], float[], float[], float[]) ReadBatchNorm(SafeTensorsFile file, Tensors t)
    {
        float[] variance = ReadFinite(file, t.Variance!);
        for (int c = 0; c < variance.Length; c++)
            if (variance[c] < 0)
                throw new ModelFormatException($"Tensor '{t.Variance!.Name}' holds {FloatFormat.Describe(variance[c])} at [{c}]: a BatchNorm running variance must not be negative.");
        return (ReadFinite(file, t.Gamma!), ReadFinite(file, t.Beta!), ReadFinite(file, t.Mean!), variance);
    }

    private static float[] ReadFinite(SafeTensorsFile file, TensorEntry tensor)
    {
        var values = new float[tensor.ElementCount];
        ReadFinite(file, tensor, 0, values);
        return values;
    }

    private static void ReadFinite(SafeTensorsFile file, TensorEntry tensor, long elementOffset, Span<float> values)
    {
        file.ReadFloat32(tensor, elementOffset, values);
        for (int i = 0; i < values.Length; i++)
            if (!float.IsFinite(values[i]))
                throw new ModelFormatException(
                    $"Tensor '{tensor.Name}' holds {FloatFormat.Describe(values[i])} at {DenseModelIO.Position(tensor, elementOffset + i)}; its values must be finite.");
    }

    private static void FillPacked(SafeTensorsFile file, GraphLayer layer, Tensors t, NativeBlock block)
    {
        Span<byte> weights = block.AsSpan<byte>((int)layer.WeightOffset, (int)t.Weight.ByteLength);
        file.ReadBytes(t.Weight, 0, weights);
        switch (t.Weight.DType)
        {
            case SafeTensorsDType.F32: CheckFinite(t.Weight, MemoryMarshal.Cast<byte, float>(weights), nonNegative: false); break;
            case SafeTensorsDType.F16 or SafeTensorsDType.BF16:
                int bad = DenseModelIO.FirstNonFinite16(MemoryMarshal.Cast<byte, ushort>(weights), t.Weight.DType == SafeTensorsDType.F16, out float value);
                if (bad >= 0)
                    throw new ModelFormatException($"Tensor '{t.Weight.Name}' holds {FloatFormat.Describe(value)} at {DenseModelIO.Position(t.Weight, bad)}; its values must be finite.");
                break;
            case SafeTensorsDType.I8:
                int low = MemoryMarshal.Cast<byte, sbyte>(weights).IndexOf(sbyte.MinValue);
                if (low >= 0)
                    throw new ModelFormatException($"Tensor '{t.Weight.Name}' holds -128 at {DenseModelIO.Position(t.Weight, low)}; ModelGen int8 weights lie in [-127, 127].");
                break;
        }
        if (t.Scale is not null) ReadFloats(file, t.Scale, block, layer.ScaleOffset, nonNegative: true);
        if (t.Bias is not null) ReadFloats(file, t.Bias, block, layer.BiasOffset, nonNegative: false);
        if (t.InputScale is not null)
        {
            Span<float> scale = block.AsSpan<float>((int)layer.InputScaleOffset, 1);
            file.ReadBytes(t.InputScale, 0, MemoryMarshal.AsBytes(scale));
            if (!float.IsFinite(scale[0]) || scale[0] <= 0)
                throw new ModelFormatException(
                    $"Tensor '{t.InputScale.Name}' holds {FloatFormat.Describe(scale[0])}; layer '{layer.Name}' needs a finite, positive input scale.");
        }
    }

    /// <summary>A static layer's input scale from <see cref="LoadOptions.Calibration"/>, checked before anything is allocated.</summary>
    private static float CalibratedScale(GraphLayer layer, LoadOptions options)
    {
        if (options.Calibration is not { } calibration)
            throw new ModelFormatException(
                $"Layer '{layer.Name}' quantizes its input with a static scale, and this file has none: load a file saved after "
                + "calibration, or pass LoadOptions.Calibration (from GraphCalibration.Calibrate).");
        if (!calibration.Layers.Any(l => l.Name == layer.Name))
            throw new ModelFormatException(
                $"Layer '{layer.Name}' quantizes its input with a static scale, and LoadOptions.Calibration has no entry for it; "
                + $"it calibrated {string.Join(", ", calibration.Layers.Select(l => $"'{l.Name}'"))}.");
        float scale = calibration.InputScale(layer.Name);
        if (!float.IsFinite(scale) || scale <= 0)
            throw new ModelFormatException($"The calibration gives layer '{layer.Name}' the input scale {scale}; it must be finite and positive.");
        return scale;
    }

    private static void ReadFloats(SafeTensorsFile file, TensorEntry tensor, NativeBlock block, long offset, bool nonNegative)
    {
        Span<float> values = block.AsSpan<float>((int)offset, (int)tensor.ElementCount);
        file.ReadBytes(tensor, 0, MemoryMarshal.AsBytes(values));
        CheckFinite(tensor, values, nonNegative);
    }

    private static void CheckFinite(TensorEntry tensor, ReadOnlySpan<float> values, bool nonNegative)
    {
        for (int i = 0; i < values.Length; i++)
            if (!float.IsFinite(values[i]) || (nonNegative && values[i] < 0))
                throw new ModelFormatException(
                    $"Tensor '{tensor.Name}' holds {FloatFormat.Describe(values[i])} at {DenseModelIO.Position(tensor, i)}; its values must be finite{(nonNegative ? " and non-negative" : "")}.");
    }

    private static TensorEntry Require(SafeTensorsFile file, GraphLayer layer, string name, string what, params ReadOnlySpan<long> shape)
    {
        if (!file.TryGetTensor(name, out TensorEntry? tensor))
            throw new ModelFormatException(
                $"The file has no tensor '{name}': layer '{layer.Name}' ({layer.Kind}) expects its {what} of shape {TensorEntry.FormatShape(shape)}.");
        if (!tensor.HasShape(shape))
            throw new ModelFormatException(
                $"Tensor '{name}' has shape {tensor.ShapeText}; layer '{layer.Name}' ({layer.Kind}) expects {TensorEntry.FormatShape(shape)}.");
        return tensor;
    }

    private static TensorEntry RequireFloat(SafeTensorsFile file, GraphLayer layer, string name, string what, params ReadOnlySpan<long> shape)
    {
        TensorEntry tensor = Require(file, layer, name, what, shape);
        if (!SafeTensorsDTypes.IsConvertibleFloat(tensor.DType))
            throw new ModelFormatException(
                $"Tensor '{name}' has dtype {tensor.DType}; layer '{layer.Name}' ({layer.Kind}) expects F32, F16 or BF16 (or F64).");
        return tensor;
    }

    private static void CheckDType(TensorEntry tensor, GraphLayer layer, SafeTensorsDType expected)
    {
        if (tensor.DType != expected)
            throw new ModelFormatException(
                $"Tensor '{tensor.Name}' has dtype {tensor.DType}; layer '{layer.Name}' ({layer.Kind}, {layer.Precision}) packs it as {expected}.");
    }

    private static void CheckNoExtraTensors(SafeTensorsFile file, string modelName, HashSet<TensorEntry> used)
    {
        List<string> extra = [.. file.Tensors.Where(t => !used.Contains(t) && !t.Name.EndsWith(".num_batches_tracked", StringComparison.Ordinal))
            .Select(t => t.Name)];
        if (extra.Count > 0)
            throw new ModelFormatException(
                $"The file has {extra.Count} tensor(s) that model '{modelName}' does not use: "
                + $"{string.Join(", ", extra.Take(20).Select(n => $"'{n}'"))}{(extra.Count > 20 ? $" and {extra.Count - 20} more" : "")}. "
                + "Set LoadOptions.IgnoreExtraTensors to load it anyway.");
    }

    private static void CheckLayout(string modelName, IReadOnlyList<GraphLayer> layers, long weightBlockBytes)
    {
        foreach (GraphLayer layer in layers)
        {
            if (!GraphLayout.IsWeighted(layer)) continue;
            if (GraphLayout.HasPrecisionWeights(layer) && GraphLayout.ElementBytes(layer.Precision) == 0)
                throw new InvalidOperationException(
                    $"Model '{modelName}', layer '{layer.Name}': precision {layer.Precision} is not supported by graph layers.");
            long channels = GraphLayout.Channels(layer);
            CheckRange(modelName, layer, "weights", layer.WeightOffset, GraphLayout.WeightBytes(layer), weightBlockBytes);
            if (GraphLayout.HasScales(layer)) CheckRange(modelName, layer, "scales", layer.ScaleOffset, channels * 4, weightBlockBytes);
            if (GraphLayout.HasBiasSlot(layer)) CheckRange(modelName, layer, "bias", layer.BiasOffset, channels * 4, weightBlockBytes);
            if (GraphLayout.HasInputScale(layer)) CheckRange(modelName, layer, "input scale", layer.InputScaleOffset, 4, weightBlockBytes);
        }
    }

    private static void CheckRange(string modelName, GraphLayer layer, string what, long offset, long bytes, long blockBytes)
    {
        if (offset < 0 || offset + bytes > blockBytes || offset + bytes > int.MaxValue)
            throw new InvalidOperationException(
                $"Model '{modelName}', layer '{layer.Name}': its {what} (offset {offset}, {bytes} bytes) do not fit the {blockBytes}-byte weight block.");
    }

    private static SafeTensorsDType PackedDType(GraphLayer layer) =>
        !GraphLayout.HasPrecisionWeights(layer) ? SafeTensorsDType.F32 : layer.Precision switch
        {
            Precision.Float16 => SafeTensorsDType.F16,
            Precision.BFloat16 => SafeTensorsDType.BF16,
            Precision.Int8 => SafeTensorsDType.I8,
            _ => SafeTensorsDType.F32,
        };

    /// <summary>The PyTorch shape of <c>{Name}.weight</c>.</summary>
    private static long[] WeightShape(GraphLayer layer) => layer.Kind switch
    {
        LayerKind.Dense => [GraphLayout.OutFeatures(layer), GraphLayout.InFeatures(layer)],
        LayerKind.Conv2d => [layer.Window.OutChannels, layer.Window.InChannelsPerGroup, layer.Window.KernelHeight, layer.Window.KernelWidth],
        _ => [GraphLayout.Channels(layer)],
    };
}
