namespace ModelGen.Graph;

/// <summary>Runs a graph model's plan (CONTRACT STUB: implemented by the runtime work item).</summary>
public static class GraphExecutor
{
    /// <summary>Checks the generated plan against the runtime's scratch needs and block sizes; throws naming the layer when not.</summary>
    public static void Validate(string modelName, IReadOnlyList<GraphLayer> layers, ActivationPlan plan, long weightBlockBytes) =>
        throw new NotImplementedException();

    /// <summary>Runs every executing layer in order through <paramref name="backend"/>; allocates nothing.</summary>
    public static void Forward(IReadOnlyList<GraphLayer> layers, ActivationPlan plan, NativeBlock weights, NativeBlock activations,
        ReadOnlySpan<float> input, Span<float> output, int batch, ILayerBackend backend, LayerOutputObserver? observer) =>
        throw new NotImplementedException();
}
