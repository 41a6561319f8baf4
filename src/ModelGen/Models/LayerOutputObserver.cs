namespace ModelGen;

/// <summary>Receives layer <paramref name="layer"/>'s output, [batch, width] row-major, during a <c>ForwardObserved</c> call.</summary>
/// <param name="layer">Index of the layer in declaration order.</param>
/// <param name="output">Its output; valid only during the call.</param>
public delegate void LayerOutputObserver(int layer, ReadOnlySpan<float> output);
