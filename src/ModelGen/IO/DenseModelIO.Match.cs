namespace ModelGen.IO;

/// <summary>Matching a file's tensors to the layers, from the header alone.</summary>
public static partial class DenseModelIO
{
    /// <summary>Most unused tensor names listed in an error message.</summary>
    private const int MaxListedNames = 20;

    private static void CheckFormatVersion(SafeTensorsFile file)
    {
        if (file.Metadata.TryGetValue("format", out string? format) && format == FormatName
            && (!file.Metadata.TryGetValue("modelgen.version", out string? version) || version != FormatVersion))
        {
            throw new ModelFormatException(
                $"The file is ModelGen format version '{version ?? "(none)"}'; this runtime reads version {FormatVersion}.");
        }
    }

    /// <summary>Finds a layer's tensors and checks their shapes and dtypes against the layer.</summary>
    private static LayerTensors Match(SafeTensorsFile file, DenseLayer layer)
    {
        long rows = layer.OutFeatures;
        TensorEntry weight = Require(file, layer, layer.Name + ".weight", "weights", rows, layer.InFeatures);
        TensorEntry? scale = null;
        if (weight.DType == SafeTensorsDType.I8)
        {
            if (layer.Precision != Precision.Int8)
            {
                throw new ModelFormatException(
                    $"Tensor '{weight.Name}' has dtype I8 (int8 weights as ModelGen packs them), but layer '{layer.Name}' " +
                    $"is {layer.Precision} and expects F32, F16, BF16 or F64; load the float weights instead.");
            }

            string scaleName = layer.Name + ".weight_scale";
            if (!file.TryGetTensor(scaleName, out scale))
            {
                throw new ModelFormatException(
                    $"Tensor '{weight.Name}' is I8 but the file has no tensor '{scaleName}' (F32 [{rows}]): int8 weights need their per-row scales.");
            }

            CheckShape(scale, layer, rows);
            if (scale.DType != SafeTensorsDType.F32)
            {
                throw new ModelFormatException($"Tensor '{scale.Name}' has dtype {scale.DType}; expected F32.");
            }
        }
        else if (!SafeTensorsDTypes.IsConvertibleFloat(weight.DType))
        {
            string int8 = layer.Precision == Precision.Int8 ? $", or I8 with '{layer.Name}.weight_scale'" : "";
            throw new ModelFormatException(
                $"Tensor '{weight.Name}' has dtype {weight.DType}; layer '{layer.Name}' ({layer.Precision}) expects F32, F16, BF16 or F64{int8}.");
        }

        TensorEntry? bias = null;
        if (layer.HasBias)
        {
            bias = Require(file, layer, layer.Name + ".bias", "bias", rows);
            if (!SafeTensorsDTypes.IsConvertibleFloat(bias.DType))
            {
                throw new ModelFormatException(
                    $"Tensor '{bias.Name}' has dtype {bias.DType}; layer '{layer.Name}' expects a float bias (F32, F16, BF16 or F64).");
            }
        }

        return new LayerTensors(weight, scale, bias);
    }

    private static TensorEntry Require(SafeTensorsFile file, DenseLayer layer, string name, string what, params ReadOnlySpan<long> shape)
    {
        if (!file.TryGetTensor(name, out TensorEntry? tensor))
        {
            throw new ModelFormatException(
                $"The file has no tensor '{name}': layer '{layer.Name}' expects its {what} of shape {TensorEntry.FormatShape(shape)}.");
        }

        CheckShape(tensor, layer, shape);
        return tensor;
    }

    private static void CheckShape(TensorEntry tensor, DenseLayer layer, params ReadOnlySpan<long> shape)
    {
        if (!tensor.HasShape(shape))
        {
            throw new ModelFormatException(
                $"Tensor '{tensor.Name}' has shape {tensor.ShapeText}; layer '{layer.Name}' ({layer.InFeatures} -> " +
                $"{layer.OutFeatures}) expects {TensorEntry.FormatShape(shape)}.");
        }
    }

    private static void CheckNoExtraTensors(SafeTensorsFile file, string modelName, LayerTensors[] matched)
    {
        var used = new HashSet<TensorEntry>(ReferenceEqualityComparer.Instance);
        foreach (LayerTensors layer in matched)
        {
            foreach (TensorEntry? tensor in (TensorEntry?[])[layer.Weight, layer.Scale, layer.Bias, .. layer.Packed ?? []])
            {
                if (tensor is not null)
                {
                    used.Add(tensor);
                }
            }
        }

        List<string> extra = [.. file.Tensors.Where(t => !used.Contains(t)).Select(t => t.Name)];
        if (extra.Count > 0)
        {
            string more = extra.Count > MaxListedNames ? $" and {extra.Count - MaxListedNames} more" : "";
            throw new ModelFormatException(
                $"The file has {extra.Count} tensor(s) that model '{modelName}' does not use: " +
                $"{string.Join(", ", extra.Take(MaxListedNames).Select(n => $"'{n}'"))}{more}. " +
                "Set LoadOptions.IgnoreExtraTensors to load it anyway.");
        }
    }
}
