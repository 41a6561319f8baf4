namespace ModelGen;

/// <summary>
/// Where the layers of a graph model run: one method per executed <see cref="LayerKind"/>.
/// <see cref="Graph.GraphExecutor"/> resolves each layer's tensors to spans and calls the matching method once per
/// executed layer, in plan order. Every method computes the layer over the whole batch and applies
/// <see cref="GraphLayer.Activation"/> to its output. Derive from <see cref="CpuLayerBackend"/> to offload some kinds
/// and keep the CPU kernels for the rest, or mark a partial class <see cref="LayerBackendAttribute"/> to get a generated
/// skeleton with one optional hook per kind.
/// </summary>
public interface ILayerBackend
{
    /// <summary>Fully connected over the last dimension, at the layer's <see cref="GraphLayer.Precision"/>.</summary>
    void Dense(GraphLayer layer, in LayerSpans spans);

    /// <summary>2-D convolution (NCHW) with its weights' precision, bias (folded BatchNorm included) and activation.</summary>
    void Conv2d(GraphLayer layer, in LayerSpans spans);

    /// <summary>A standalone BatchNorm: per-channel <c>y = x * scale + shift</c>; may run in place.</summary>
    void BatchNorm2d(GraphLayer layer, in LayerSpans spans);

    /// <summary><see cref="LayerKind.MaxPool2d"/>, <see cref="LayerKind.AvgPool2d"/> or <see cref="LayerKind.GlobalAvgPool"/>.</summary>
    void Pool(GraphLayer layer, in LayerSpans spans);

    /// <summary>LayerNorm over the last dimension; may run in place.</summary>
    void LayerNorm(GraphLayer layer, in LayerSpans spans);

    /// <summary>A standalone activation (<see cref="GraphLayer.Activation"/> is the function); may run in place.</summary>
    void Activate(GraphLayer layer, in LayerSpans spans);

    /// <summary>Element-wise sum of the two inputs (residual connection); the output may be either input.</summary>
    void Add(GraphLayer layer, in LayerSpans spans);
}
