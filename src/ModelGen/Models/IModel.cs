namespace ModelGen;

/// <summary>
/// What every generated model offers, for code that works over many models (evaluation, batching, benchmarks).
/// Generated classes implement it explicitly next to their constants, so direct calls stay non-virtual.
/// </summary>
public interface IModel : IDisposable
{
    /// <summary>Input width of one sample.</summary>
    int InputFeatures { get; }

    /// <summary>Output width of one sample.</summary>
    int OutputFeatures { get; }

    /// <summary>Largest batch <see cref="Forward"/> accepts.</summary>
    int MaxBatch { get; }

    /// <summary>The compile-time memory report of the model class.</summary>
    ModelMemoryReport Memory { get; }

    /// <summary>
    /// Names of the layers as <see cref="ForwardObserved"/> numbers them: the memory report's layers for a Dense chain;
    /// every layer of a graph model (the observer sees the ones that run as their own step).
    /// </summary>
    IReadOnlyList<string> ObservedLayerNames => Memory.Layers.Select(static layer => layer.Name).ToArray();

    /// <summary>Runs <paramref name="batch"/> samples: <paramref name="input"/> [batch, InputFeatures] to <paramref name="output"/> [batch, OutputFeatures].</summary>
    void Forward(ReadOnlySpan<float> input, Span<float> output, int batch);

    /// <summary>
    /// <see cref="Forward"/> that also hands each layer's output (before the model's softmax) to
    /// <paramref name="observer"/>, for accuracy analysis such as <see cref="Quantization.ModelEvaluation"/>.
    /// </summary>
    void ForwardObserved(ReadOnlySpan<float> input, Span<float> output, int batch, LayerOutputObserver observer);

    /// <summary>Writes the packed weights (quantized as stored) as safetensors.</summary>
    void Save(Stream stream);

    /// <summary>
    /// A new instance of the same model sharing this one's weight block (not copied) with its own activation block,
    /// for <c>Forward</c> in another thread (see <see cref="ParallelForward"/>). Dispose it; the weights are freed
    /// when the last sharer is disposed.
    /// </summary>
    IModel CreateWorker();
}

/// <summary>A generated model type, with its static loader.</summary>
/// <typeparam name="TSelf">The model class.</typeparam>
public interface IModel<TSelf> : IModel where TSelf : IModel<TSelf>
{
    /// <summary>Loads and validates weights from a safetensors stream.</summary>
    static abstract TSelf Load(Stream stream, LoadOptions? options = null);
}
