namespace ModelGen.IO;

/// <summary>
/// Loads and saves the weight block of a generated dense model. Used by generated <c>Load</c>/<c>Save</c>.
/// </summary>
public static class DenseModelIO
{
    /// <summary>
    /// Reads a safetensors stream (PyTorch state_dict in F32/F16/BF16, or ModelGen's packed output), validates every
    /// tensor against <paramref name="layers"/>, converts/quantizes to each layer's precision and returns the filled
    /// weight block of <paramref name="weightBlockBytes"/> bytes. Throws <see cref="ModelFormatException"/> on any problem.
    /// </summary>
    public static NativeBlock Load(Stream stream, string modelName, ReadOnlySpan<DenseLayer> layers, long weightBlockBytes,
        LoadOptions? options = null) => throw new NotImplementedException();

    /// <summary>Writes the packed weights (quantized values and scales as they are) as safetensors with ModelGen metadata.</summary>
    public static void Save(Stream stream, string modelName, ReadOnlySpan<DenseLayer> layers, NativeBlock weights) =>
        throw new NotImplementedException();
}
