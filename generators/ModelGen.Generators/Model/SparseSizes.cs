using System;

namespace ModelGen.Generators.Model;

/// <summary>
/// Build-time mirror of the runtime's <c>ModelGen.Kernels.SparseLayout</c>: kept weights per row, sparse storage
/// sizes, and the cost rule that stores a magnitude-pruned layer sparse only where the sparse kernel is faster.
/// The planner test keeps every number equal to the runtime's.
/// </summary>
internal static class SparseSizes
{
    /// <summary>The largest input width fp32 sparse storage (uint16 column indices) can address.</summary>
    public const int MaxIndexedK = 65536;

    /// <summary>Weights each row keeps: round-half-even of k * (1 - sparsity), at least one.</summary>
    public static int KeptPerRow(int k, double sparsity) =>
        Math.Max(1, (int)Math.Round(k * (1 - sparsity), MidpointRounding.ToEven));

    /// <summary>Values stored by the unstructured format: the same count in every row.</summary>
    public static long UnstructuredValueCount(int n, int keptPerRow) => (long)n * keptPerRow;

    /// <summary>Bytes of the unstructured structure: uint16 column indices (fp32) or a bitmask per row (int8).</summary>
    public static long UnstructuredStructureBytes(int n, int k, int keptPerRow, bool int8Values) =>
        int8Values ? (long)n * ((k + 7) / 8) : 2L * n * keptPerRow;

    /// <summary>Values stored by the 2:4 format: two per group of four, the last group padded.</summary>
    public static long TwoOfFourValueCount(int n, int k) => (long)n * 2 * ((k + 3) / 4);

    /// <summary>Bytes of the 2:4 metadata: a nibble per group.</summary>
    public static long TwoOfFourMetaBytes(int n, int k) => (long)n * ((((k + 3) / 4) + 1) / 2);

    /// <summary>
    /// Whether a magnitude-pruned layer is stored sparse: <c>SparseStorage</c> when set, else the runtime's measured
    /// cost rule (int8: never; fp32: from 75% sparsity when the dense weights stream from memory (8 MiB and up), from
    /// 95% when they are at least 512 KiB, never below).
    /// </summary>
    public static bool StoredSparse(DenseSpec layer, int n, int k)
    {
        var scheme = layer.Scheme;
        if (scheme.Pruning != LayerPruning.Magnitude)
        {
            return false;
        }

        return scheme.SparseStorage switch
        {
            LayerSparseStorage.Sparse => true,
            LayerSparseStorage.Dense => false,
            _ => PrefersUnstructured(n, k, scheme.Sparsity ?? 0, layer.Precision == LayerPrecision.Int8),
        };
    }

    /// <summary>The runtime's <c>SparseLayout.PrefersUnstructured</c>.</summary>
    private static bool PrefersUnstructured(int n, int k, double sparsity, bool int8Values)
    {
        if (int8Values)
        {
            return false;
        }

        var denseBytes = 4L * n * k;
        return denseBytes >= 8L << 20 ? sparsity >= 0.75 : denseBytes >= 512L << 10 && sparsity >= 0.95;
    }
}
