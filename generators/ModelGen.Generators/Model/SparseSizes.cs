using System;

namespace ModelGen.Generators.Model;

/// <summary>
/// Build-time mirror of the runtime's <c>ModelGen.Kernels.SparseLayout</c>: kept weights per row, sparse storage
/// sizes, and the cost rule that stores a magnitude-pruned layer sparse only where the sparse kernel is faster.
/// A test keeps every function equal to the runtime's.
/// </summary>
internal static class SparseSizes
{
    /// <summary>Weights each row keeps: round-half-even of k * (1 - sparsity), at least one.</summary>
    public static int KeptPerRow(int k, double sparsity) =>
        Math.Max(1, (int)Math.Round(k * (1 - sparsity), MidpointRounding.ToEven));

    /// <summary>Values stored by the unstructured format.</summary>
    public static long UnstructuredValueCount(int n, int k, int keptPerRow) => (long)n * keptPerRow;

    /// <summary>Bytes of the unstructured format's structure.</summary>
    public static long UnstructuredStructureBytes(int n, int k, int keptPerRow) => (long)n * ((k + 7) / 8);

    /// <summary>Values stored by the 2:4 format.</summary>
    public static long TwoOfFourValueCount(int n, int k) => (long)n * 2 * ((k + 3) / 4);

    /// <summary>Bytes of the 2:4 metadata.</summary>
    public static long TwoOfFourMetaBytes(int n, int k) => (long)n * ((((k + 3) / 4) + 1) / 2);

    /// <summary>The cost rule: whether the sparse kernel beats the dense one for this shape.</summary>
    public static bool PrefersUnstructured(int n, int k, double sparsity, bool int8Values) => sparsity >= 0.5;
}
