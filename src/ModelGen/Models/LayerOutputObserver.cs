namespace ModelGen;

/// <summary>
/// Receives rows of layer <paramref name="layer"/>'s output during a <c>ForwardObserved</c> call: rows
/// <paramref name="firstRow"/> to <paramref name="firstRow"/> + <paramref name="rows"/> - 1 of the batch, row-major,
/// in fp32. A model may hand a layer's output over in several chunks (16-bit activation storage runs 8 rows at a time).
/// </summary>
/// <param name="layer">Index of the layer in declaration order.</param>
/// <param name="firstRow">Index in the batch of the first row.</param>
/// <param name="rows">Number of rows in <paramref name="output"/>.</param>
/// <param name="output">The rows; valid only during the call.</param>
public delegate void LayerOutputObserver(int layer, int firstRow, int rows, ReadOnlySpan<float> output);
