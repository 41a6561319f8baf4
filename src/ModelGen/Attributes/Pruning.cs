namespace ModelGen;

/// <summary>How a dense layer's weights are pruned when they load. Accuracy may drop: no fine-tuning happens here.</summary>
public enum Pruning
{
    /// <summary>All weights kept.</summary>
    None = 0,
    /// <summary>
    /// Unstructured magnitude pruning: each output row keeps its largest-magnitude weights, the same count in every row
    /// (<see cref="DenseAttribute.Sparsity"/> sets the pruned share). The layer is stored sparse when the sparse kernel
    /// is faster for its shape, dense (with zeros) otherwise; the memory report says which.
    /// </summary>
    Magnitude = 1,
    /// <summary>Semi-structured 2:4 sparsity: the 2 largest-magnitude of every 4 consecutive weights along the input.</summary>
    TwoOfFour = 2,
}
