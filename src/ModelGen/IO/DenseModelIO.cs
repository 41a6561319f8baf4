using ModelGen.Quantization;

namespace ModelGen.IO;

/// <summary>
/// Loads and saves the weight block of a generated dense model. Used by generated <c>Load</c>/<c>Save</c>.
/// </summary>
/// <remarks>
/// Per layer the file holds <c>{Name}.weight</c> [out, in] and, when the layer has one, <c>{Name}.bias</c> [out].
/// Float sources (F32, F16, BF16, F64) are converted to the layer's precision, rounding once (to nearest even);
/// Int8 layers are quantized per row with <see cref="Int8Quantizer"/>. ModelGen's own files (see <see cref="Save"/>)
/// store each layer as packed, so they load without rounding again: Int8 layers as I8 <c>{Name}.weight</c> plus
/// F32 <c>{Name}.weight_scale</c> [out].
/// </remarks>
public static partial class DenseModelIO
{
    /// <summary>The <c>format</c> metadata value of files written by <see cref="Save"/>.</summary>
    public const string FormatName = "modelgen";

    /// <summary>
    /// The <c>modelgen.version</c> metadata value this runtime writes and reads. 2: int8 2:4 positions in 2-bit planes
    /// per 16 groups (version 1 kept a nibble per group; such files are refused, not misread).
    /// </summary>
    public const string FormatVersion = "2";

    /// <summary>
    /// Reads a safetensors stream (PyTorch state_dict in F32/F16/BF16, or ModelGen's packed output), validates every
    /// tensor against <paramref name="layers"/>, converts/quantizes to each layer's precision and returns the filled
    /// weight block of <paramref name="weightBlockBytes"/> bytes. Throws <see cref="ModelFormatException"/> on any problem.
    /// </summary>
    /// <exception cref="ModelFormatException">The file is malformed, or a tensor is missing, unused, of the wrong shape
    /// or dtype, or holds values that are not finite (weights, bias) or not finite and non-negative (scales).</exception>
    /// <exception cref="InvalidOperationException">The layers' offsets do not fit a block of <paramref name="weightBlockBytes"/>
    /// bytes: the generated code and the runtime disagree on the layout.</exception>
    public static NativeBlock Load(Stream stream, string modelName, ReadOnlySpan<DenseLayer> layers, long weightBlockBytes,
        LoadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(modelName);
        options ??= LoadOptions.Default;
        CheckLayout(modelName, layers, weightBlockBytes);

        using SafeTensorsFile file = SafeTensorsFile.Open(stream, options.MaxBufferedBytes);
        CheckFormatVersion(file);
        bool packedFile = IsModelGenFile(file);

        // Match every tensor from the header first: a file that does not fit the model fails before any allocation.
        var matched = new LayerTensors[layers.Length];
        for (int i = 0; i < layers.Length; i++)
        {
            matched[i] = IsPlain(layers[i]) ? Match(file, layers[i])
                : packedFile ? MatchPacked(file, layers[i])
                : MatchSource(file, layers[i], options);
        }

        if (!options.IgnoreExtraTensors)
        {
            CheckNoExtraTensors(file, modelName, matched);
        }

        var block = new NativeBlock(weightBlockBytes);
        try
        {
            int[]? keptInputs = null;
            for (int i = 0; i < layers.Length; i++)
            {
                DenseLayer layer = layers[i];
                if (IsPlain(layer))
                {
                    Fill(file, layer, matched[i], block);
                    keptInputs = null;
                }
                else if (matched[i].Packed is { } packed)
                {
                    FillPacked(file, layer, packed, block);
                    keptInputs = null;
                }
                else
                {
                    keptInputs = FillFromSource(file, layer, matched[i], keptInputs, block, options);
                }
            }

            return block;
        }
        catch
        {
            // Never hand out (or leak) a half-filled block.
            block.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Writes the packed weights (quantized values, sparse structure, scales, codebooks as they are) as safetensors with
    /// ModelGen metadata: <c>format</c>, <c>modelgen.version</c>, <c>modelgen.model</c> and per layer
    /// <c>modelgen.layer.{Name}.precision</c> and <c>.storage</c>. Loading the result with the same layers gives a
    /// bit-identical weight block.
    /// </summary>
    public static void Save(Stream stream, string modelName, ReadOnlySpan<DenseLayer> layers, NativeBlock weights)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(modelName);
        ArgumentNullException.ThrowIfNull(weights);
        CheckLayout(modelName, layers, weights.Length);

        ReadOnlyMemory<byte> block = new NativeBlockMemory(weights).Memory;
        var writer = new SafeTensorsWriter();
        writer.AddMetadata("format", FormatName);
        writer.AddMetadata("modelgen.version", FormatVersion);
        writer.AddMetadata("modelgen.model", modelName);
        foreach (DenseLayer layer in layers)
        {
            writer.AddMetadata($"modelgen.layer.{layer.Name}.precision", layer.Precision.ToString());
            writer.AddMetadata($"modelgen.layer.{layer.Name}.storage", layer.Storage);
        }

        foreach (DenseLayer layer in layers)
        {
            foreach (PackedTensor tensor in DenseLayout.Tensors(layer))
            {
                writer.AddTensor(layer.Name + tensor.Suffix, tensor.DType, block.Slice(tensor.Offset, (int)tensor.Bytes), tensor.Shape);
            }
        }

        writer.WriteTo(stream);
    }

    /// <summary>
    /// Whether <paramref name="layer"/> uses only the core schemes (fp32/fp16/bf16/int8 dense, dynamic input, no pruning),
    /// which load from any float source or from ModelGen's int8 packing tensor by tensor.
    /// </summary>
    private static bool IsPlain(DenseLayer layer) =>
        layer.Precision is Precision.Float32 or Precision.Float16 or Precision.BFloat16 or Precision.Int8
        && layer.Pruning == Pruning.None && layer.InputQuantization == InputQuantization.Dynamic
        && layer.InFeatures == layer.SourceInFeatures && layer.OutFeatures == layer.SourceOutFeatures;

    private static bool IsModelGenFile(SafeTensorsFile file) =>
        file.Metadata.TryGetValue("format", out string? format) && format == FormatName;

    private static SafeTensorsDType PackedDType(Precision precision) => precision switch
    {
        Precision.Float32 => SafeTensorsDType.F32,
        Precision.Float16 => SafeTensorsDType.F16,
        Precision.BFloat16 => SafeTensorsDType.BF16,
        Precision.Int8 => SafeTensorsDType.I8,
        _ => throw new ArgumentOutOfRangeException(nameof(precision), precision, "Unknown precision."),
    };

    /// <summary>
    /// A layer's tensors in the file: a plain layer's weight, scale and bias; a scheme layer's packed tensors (in
    /// <see cref="DenseLayout.Tensors"/> order) or its float source weight and bias.
    /// </summary>
    private sealed record LayerTensors(TensorEntry? Weight, TensorEntry? Scale, TensorEntry? Bias, TensorEntry[]? Packed = null);
}
