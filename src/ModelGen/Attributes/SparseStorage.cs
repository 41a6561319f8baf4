namespace ModelGen;

/// <summary>How a <see cref="Pruning.Magnitude"/> layer stores its pruned weights.</summary>
public enum SparseStorage
{
    /// <summary>
    /// The cost rule decides at build time (<c>ModelGen.Kernels.SparseLayout.PrefersUnstructured</c>): sparse only where
    /// the sparse kernel is measured faster for the layer's shape and sparsity, so pruning never makes it slower.
    /// </summary>
    Auto = 0,
    /// <summary>Always sparse: the smallest weights, even where the sparse kernel is slower than the dense one.</summary>
    Sparse = 1,
    /// <summary>Always dense, the pruned weights stored as zeros.</summary>
    Dense = 2,
}
