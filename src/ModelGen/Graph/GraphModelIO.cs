namespace ModelGen.Graph;

/// <summary>Loads a graph model's weights (CONTRACT STUB: implemented by the runtime work item).</summary>
public static class GraphModelIO
{
    /// <summary>
    /// Reads every weighted layer of <paramref name="layers"/> from a safetensors stream (PyTorch state_dict names:
    /// <c>{Name}.weight</c>, <c>{Name}.bias</c>, BatchNorm's <c>.running_mean</c>/<c>.running_var</c>), folds BatchNorm,
    /// converts to each layer's precision and packs into a new weight block of <paramref name="weightBlockBytes"/>.
    /// </summary>
    public static NativeBlock Load(Stream stream, string modelName, IReadOnlyList<GraphLayer> layers, long weightBlockBytes, LoadOptions? options) =>
        throw new NotImplementedException();

    /// <summary>
    /// Writes the packed weights of every weighted layer of <paramref name="layers"/> from <paramref name="weights"/> as
    /// safetensors (BatchNorm folded, quantized values and scales as stored).
    /// </summary>
    public static void Save(Stream stream, string modelName, IReadOnlyList<GraphLayer> layers, NativeBlock weights) =>
        throw new NotImplementedException();
}
