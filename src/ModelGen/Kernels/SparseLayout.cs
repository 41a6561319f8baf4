namespace ModelGen.Kernels;

/// <summary>
/// Storage sizes of pruned dense-layer weights, closed-form in (n, k, sparsity) so the generator can plan memory at
/// build time with the same formulas.
/// </summary>
/// <remarks>
/// <para><b>Unstructured</b> (magnitude pruning, the same count <c>keptPerRow</c> in every output row): per row a
/// bitmask of <c>ceil(k / 8)</c> bytes (bit <c>c % 8</c> of byte <c>c / 8</c> set when column c is kept; bits past k
/// zero), and the <c>keptPerRow</c> kept values of the row in column order, rows one after another. The same structure
/// serves fp32 and int8 values. A bitmask was chosen over ELL (values + uint16 column indices) because int8 values
/// with 2-byte indices need 60% of the dense bytes at 80% sparsity, the mask 32.5% (fp32: 23% vs ELL's 30%).</para>
/// <para><b>2:4</b>: every group of 4 consecutive weights along k keeps its 2 largest |w|; a last partial group is
/// padded with zero weights. Per row <c>2 * ceil(k / 4)</c> values (each group's two, lower column first) and one
/// nibble per group, two groups a byte (group g in byte g / 2, bits 4 (g % 2)): bits 0-1 the position (0-3) of the
/// group's first value, bits 2-3 of its second.</para>
/// </remarks>
public static class SparseLayout
{
    /// <summary>
    /// Weights kept per output row at <paramref name="sparsity"/> (the pruned fraction, in [0, 1)):
    /// <c>max(1, round-half-even(k * (1 - sparsity)))</c>.
    /// </summary>
    public static int KeptPerRow(int k, double sparsity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        CheckSparsity(sparsity);
        return Math.Max(1, (int)Math.Round(k * (1 - sparsity), MidpointRounding.ToEven));
    }

    /// <summary>Bytes of the unstructured bitmask: <c>n * ceil(k / 8)</c> (independent of <paramref name="keptPerRow"/>).</summary>
    public static long UnstructuredStructureBytes(int n, int k, int keptPerRow)
    {
        CheckUnstructured(n, k, keptPerRow);
        return (long)n * MaskBytesPerRow(k);
    }

    /// <summary>Values stored for unstructured pruning (fp32 or sbyte each): <c>n * keptPerRow</c>.</summary>
    public static long UnstructuredValueCount(int n, int k, int keptPerRow)
    {
        CheckUnstructured(n, k, keptPerRow);
        return (long)n * keptPerRow;
    }

    /// <summary>Bytes of the 2:4 indices: <c>n * ceil(ceil(k / 4) / 2)</c>, i.e. 4 bits per group of 4.</summary>
    public static long TwoOfFourMetaBytes(int n, int k)
    {
        CheckShape(n, k);
        return (long)n * MetaBytesPerRow(k);
    }

    /// <summary>Values stored for 2:4 (fp32 or sbyte each): <c>n * 2 * ceil(k / 4)</c>.</summary>
    public static long TwoOfFourValueCount(int n, int k)
    {
        CheckShape(n, k);
        return (long)n * ValuesPerRow24(k);
    }

    /// <summary>
    /// Whether the unstructured sparse kernel is expected to beat the dense one of the same value type for a layer of
    /// this shape: fp32 from <see cref="Float32MinSparsity"/> sparsity, int8 from <see cref="Int8MinSparsity"/>.
    /// </summary>
    /// <remarks>
    /// Measured on one core of an AMD EPYC (Zen, AVX2), batch 1, bench/ModelGen.Bench SparseBench: see the constants.
    /// The shape only matters through k (rows shorter than one mask byte gain nothing).
    /// </remarks>
    public static bool PrefersUnstructured(int n, int k, double sparsity, bool int8Values)
    {
        CheckShape(n, k);
        CheckSparsity(sparsity);
        if (k < 8) return false;
        return sparsity >= (int8Values ? Int8MinSparsity : Float32MinSparsity);
    }

    /// <summary>fp32: the bitmask kernel does a masked FMA per 8 columns whatever the sparsity; it wins once the bytes saved
    /// outweigh the decode (see the remarks of <see cref="PrefersUnstructured"/>).</summary>
    public const double Float32MinSparsity = 0.7;

    /// <summary>int8: the decode costs more per column than a dense int8 step, so only very sparse rows win.</summary>
    public const double Int8MinSparsity = 0.9;

    internal static int MaskBytesPerRow(int k) => (k + 7) >> 3;

    internal static int Groups24(int k) => (k + 3) >> 2;

    internal static int ValuesPerRow24(int k) => 2 * Groups24(k);

    internal static int MetaBytesPerRow(int k) => (Groups24(k) + 1) >> 1;

    internal static void CheckSparsity(double sparsity)
    {
        if (!(sparsity >= 0 && sparsity < 1))
            throw new ArgumentOutOfRangeException(nameof(sparsity), sparsity,
                "Sparsity (the pruned fraction) must be in [0, 1); 1 would prune every weight.");
    }

    private static void CheckShape(int n, int k)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
    }

    internal static void CheckUnstructured(int n, int k, int keptPerRow)
    {
        CheckShape(n, k);
        if (keptPerRow < 1 || keptPerRow > k)
            throw new ArgumentOutOfRangeException(nameof(keptPerRow), keptPerRow, $"keptPerRow must be in [1, k = {k}].");
    }
}
