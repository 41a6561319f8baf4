namespace ModelGen.Kernels;

/// <summary>
/// Storage sizes of pruned dense-layer weights, closed-form in (n, k, sparsity) so the generator can plan memory at
/// build time with the same formulas.
/// </summary>
/// <remarks>
/// <para><b>Unstructured</b> (magnitude pruning, the same count <c>keptPerRow</c> in every output row): the
/// <c>keptPerRow</c> kept values of each row in column order, rows one after another, and a structure that depends
/// on the value type, chosen by measurement (bench/ModelGen.Bench SparseBench, and the numbers on
/// <see cref="PrefersUnstructured"/>):</para>
/// <list type="bullet">
/// <item><b>fp32: ELL</b>, each kept value's column as a little-endian uint16 (k &lt;= 65,536), rows like the values:
/// <c>2 n keptPerRow</c> bytes, 30% of the dense bytes at 80% sparsity. The kernel fetches x at the columns, 8 per
/// FMA, so its cost follows the kept count; a bitmask (23%) is decoded per column whatever the sparsity and measured
/// 1.5-2x slower than ELL at 80% (4096 x 4096 from memory, same run: first ELL version with VGATHERDPS 1.4-1.75x the
/// dense kernel, bitmask 0.7-1.05x; 784 x 256: ELL 0.65-0.77x, bitmask 0.3-0.6x). Fetching x by scalar loads then
/// beat VGATHERDPS by 15-40%, and reading the indices 4 per 64-bit load gave 1.5-2.2x at 4096 x 4096.</item>
/// <item><b>int8: bitmask</b>, per row <c>ceil(k / 8)</c> bytes, bit <c>c % 8</c> of byte <c>c / 8</c> set when
/// column c is kept, bits past k zero: 32.5% of the dense bytes at 80% sparsity, where ELL's 2-byte indices would need
/// 60% (more than the 1-byte values they index).</item>
/// </list>
/// <para><b>2:4</b>: every group of 4 consecutive weights along k keeps its 2 largest |w|; a last partial group is
/// padded with zero weights. Per row <c>2 * ceil(k / 4)</c> values (each group's two, lower column first) and 4 bits
/// per group: the 2-bit positions (0-3) of the group's first and second value. Sizes as if row-major
/// [n, 2 ceil(k / 4)] values and [n, ceil(ceil(k / 4) / 2)] meta bytes, whatever the value type; where the bits lie
/// depends on it:</para>
/// <list type="bullet">
/// <item><b>int8: row-major, 2-bit planes</b>, rows one after another; in a row, group g's values at 2g, 2g + 1.
/// The positions go by steps of 16 whole groups (64 columns, 32 values, 8 meta bytes): value i of step s (group
/// 16s + i / 2, its first value when i is even) has its position in byte 8s + i % 8, bits 2 (i / 8). The groups
/// past the last whole step keep a nibble each, in byte g / 2, bits 4 (g % 2) (first position in the low 2 bits).
/// So the AVX2 kernel turns a step's 8 meta bytes into its 32 byte-shuffle controls with one broadcast, one
/// per-qword shift (VPSRLVQ), a mask and an add (see <see cref="Int8Position24"/>).</item>
/// <item><b>fp32: 8-row slices</b>: rows 8s .. 8s + 7 (s &lt; n / 8) form slice s, stored where those 8 rows would
/// be: for each group g, 16 values (the 8 rows' first values, then their 8 second values) at slice offset 16g, and
/// a little-endian uint32 at slice byte offset 4g holding row 8s + r's nibble in bits 4r (a slice with an odd group
/// count leaves 4 bytes unused; bits 0-1 of a nibble the first position, bits 2-3 the second). The last n % 8 rows
/// follow row-major, a nibble per group in byte g / 2, bits 4 (g % 2). So the AVX2 kernel computes 8 rows per group
/// with one broadcast of the group's 4 x values, two in-lane permutes (VPERMILPS, controls shifted out of the uint32)
/// and two FMAs: as few instructions per weight as the dense kernel, on half the weights.</item>
/// </list>
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

    /// <summary>Bytes of the fp32 unstructured structure (uint16 column indices): <c>2 n keptPerRow</c>.</summary>
    public static long UnstructuredStructureBytes(int n, int k, int keptPerRow) =>
        UnstructuredStructureBytes(n, k, keptPerRow, int8Values: false);

    /// <summary>
    /// Bytes of the unstructured structure for fp32 values (uint16 column indices, <c>2 n keptPerRow</c>) or int8
    /// values (bitmask, <c>n ceil(k / 8)</c>).
    /// </summary>
    public static long UnstructuredStructureBytes(int n, int k, int keptPerRow, bool int8Values)
    {
        CheckUnstructured(n, k, keptPerRow);
        if (!int8Values) CheckIndexRange(k);
        return int8Values ? (long)n * MaskBytesPerRow(k) : 2L * n * keptPerRow;
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
    /// Whether the unstructured sparse kernel is expected to beat the dense one of the same value type at batch 1 for
    /// a layer of this shape. int8: never. fp32: from <see cref="Float32MinSparsityStreamed"/> sparsity when the dense
    /// weights (4 n k bytes) reach <see cref="Float32StreamedBytes"/>, from <see cref="Float32MinSparsityCached"/>
    /// when they reach <see cref="Float32SmallBytes"/>, never below.
    /// </summary>
    /// <remarks>
    /// Measured on one core of an AMD EPYC (Zen 3, AVX2; a shared machine, so ratios of alternating rounds in one
    /// process; <c>bench/run sparse-sweep quick</c>, two runs), dense / sparse time at sparsity 0.5 / 0.6 / 0.7 / 0.75 /
    /// 0.8 / 0.85 / 0.9 / 0.95:
    /// <list type="bullet">
    /// <item>fp32 from memory, 4096 x 4096 (64 MiB): 0.67-0.70 / 0.88-0.94 / 1.25-1.26 / 1.41-1.58 / 1.88-1.90 /
    /// 2.4-2.7 / 3.3-4.2 / 6.4-7.7; 1024 x 4096 (16 MiB): 0.58-0.70 / 0.85-0.89 / 1.19-1.25 / 1.34-1.46 / 1.74-1.83 /
    /// 2.1 / 3.0-3.3 / 6.5-7.4. The dense kernel streams W at memory bandwidth; ELL reads 6 bytes per kept weight and
    /// fetches x (in L1) at its columns, ~0.9 cycles per kept weight.</item>
    /// <item>fp32 cache-resident, 512 x 1024 (2 MiB): 0.35-0.41 / 0.42-0.46 / 0.61-0.63 / 0.79 / 0.91-0.95 / 1.10-1.27 /
    /// 1.67-1.85 / 2.7-3.1; 784 x 256 (0.8 MiB): 0.35-0.38 / 0.45-0.46 / 0.61 / 0.61-0.72 / 0.77-0.84 / 1.02-1.06 /
    /// 1.51-1.54 / 2.7. Earlier, 128 x 256 (0.1 MiB) never broke even up to 0.95 (0.58).</item>
    /// <item>int8 (bitmask), 4096 x 4096 and 784 x 256 at 0.8: 0.17-0.28. The mask is decoded per column (a byte
    /// shuffle per 16 columns) whatever the sparsity, against a dense kernel doing 32 columns in about 5 instructions;
    /// AVX2 has no byte compress or expand (AVX-512 VBMI2).</item>
    /// </list>
    /// </remarks>
    public static bool PrefersUnstructured(int n, int k, double sparsity, bool int8Values)
    {
        CheckShape(n, k);
        CheckSparsity(sparsity);
        if (int8Values) return false;
        long denseBytes = 4L * n * k;
        return denseBytes >= Float32StreamedBytes ? sparsity >= Float32MinSparsityStreamed
            : denseBytes >= Float32SmallBytes && sparsity >= Float32MinSparsityCached;
    }

    /// <summary>Dense fp32 weights from this size on stream from L3 or memory (measured 16 MiB and up; 4 MiB still behaves as cached).</summary>
    public const long Float32StreamedBytes = 8L << 20;

    /// <summary>Below this size (measured 0.1 MiB) the dense fp32 kernel runs from L2 and no sparsity up to 0.95 beats it.</summary>
    public const long Float32SmallBytes = 512L << 10;

    /// <summary>
    /// Sparsity from which fp32 ELL beats dense weights streamed from memory: break-even ~0.63, 1.2x at 0.7, 1.4-1.6x
    /// at 0.75. 0.75 leaves a margin, and a sparse layer loses its batch reuse above batch 1, so the rule does not
    /// reach lower.
    /// </summary>
    public const double Float32MinSparsityStreamed = 0.75;

    /// <summary>
    /// Sparsity from which fp32 ELL beats cache-resident dense weights. The kernel alone is 1.5x at 0.9, but inside
    /// fashion_mlp (784 x 256, the sample) a 90%-sparse hidden layer stored sparse measured 12.05 us at batch 1 against
    /// 11.7-12.0 us stored dense, and 82,000 images/s at batch 64 against 216,000 (same run): 0.95 keeps the rule on
    /// the side of never slower.
    /// </summary>
    public const double Float32MinSparsityCached = 0.95;

    /// <summary>The largest k the fp32 layout's uint16 column indices can address.</summary>
    public const int MaxIndexedK = ushort.MaxValue + 1;

    internal static int MaskBytesPerRow(int k) => (k + 7) >> 3;

    internal static void CheckIndexRange(int k)
    {
        if (k > MaxIndexedK)
            throw new ArgumentOutOfRangeException(nameof(k), k, $"fp32 unstructured pruning stores uint16 column indices: k must be at most {MaxIndexedK}.");
    }

    internal static int Groups24(int k) => (k + 3) >> 2;

    /// <summary>Rows of an fp32 2:4 matrix stored in 8-row slices: the rest (n % 8) are row-major.</summary>
    internal static int SlicedRows24(int n) => n & ~7;

    internal static int ValuesPerRow24(int k) => 2 * Groups24(k);

    internal static int MetaBytesPerRow(int k) => (Groups24(k) + 1) >> 1;

    /// <summary>
    /// Where the int8 2:4 layout keeps the position (0-3) of group <paramref name="g"/>'s first
    /// (<paramref name="second"/> = 0) or second value in a row's meta bytes, for a row of <paramref name="groups"/>
    /// groups: 2-bit planes per whole 16-group step, a nibble per group after them (see the type's remarks).
    /// </summary>
    internal static (int Byte, int Shift) Int8Position24(int groups, int g, int second)
    {
        if (g < (groups & ~15))
        {
            int i = 2 * (g & 15) + second;
            return (8 * (g >> 4) + (i & 7), 2 * (i >> 3));
        }
        return (g >> 1, 4 * (g & 1) + 2 * second);
    }

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
