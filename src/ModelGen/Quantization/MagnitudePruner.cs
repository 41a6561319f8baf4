using System.Buffers;
using System.Buffers.Binary;
using ModelGen.Kernels;
using ModelGen.Numerics;

namespace ModelGen.Quantization;

/// <summary>
/// Magnitude pruning of a row-major fp32 weight matrix w [n, k] into the layouts of <see cref="SparseLayout"/>, and
/// back. Unstructured keeps exactly <c>keptPerRow</c> weights of largest |w| in every row (fp32 layout:
/// <see cref="PruneUnstructured"/>, int8 layout: <see cref="PruneUnstructuredInt8"/>); 2:4 keeps the 2 largest of
/// every 4 consecutive weights along k. Ties go to the lower column (so -0 and +0, or 2 and -2, keep the first).
/// For int8 2:4 values quantize the packed fp32 values per row with <see cref="Int8Quantizer.QuantizeRows(ReadOnlySpan{float}, int, int, Span{sbyte}, Span{float})"/>
/// (rows of 2 ceil(k / 4) values): the scales come from the kept values only (padding zeros do not change a maximum).
/// NaN or infinite weights throw <see cref="ArgumentException"/> naming the tensor, row and column.
/// </summary>
public static class MagnitudePruner
{
    /// <summary>
    /// Packs the <paramref name="keptPerRow"/> largest-magnitude weights of each row in the fp32 layout: values in
    /// column order, <paramref name="structure"/> their columns as little-endian uint16 (k at most
    /// <see cref="SparseLayout.MaxIndexedK"/>).
    /// </summary>
    public static void PruneUnstructured(ReadOnlySpan<float> w, int n, int k, int keptPerRow, Span<float> values,
        Span<byte> structure, string tensorName = "weight")
    {
        CheckUnstructured(w.Length, n, k, keptPerRow);
        CheckOutput(values.Length, SparseLayout.UnstructuredValueCount(n, k, keptPerRow), nameof(values));
        CheckOutput(structure.Length, SparseLayout.UnstructuredStructureBytes(n, k, keptPerRow, int8Values: false), nameof(structure));
        CheckFinite(w, n, k, tensorName);
        uint[] scratch = ArrayPool<uint>.Shared.Rent(k);
        try
        {
            for (int r = 0; r < n; r++)
            {
                ReadOnlySpan<float> row = w.Slice(r * k, k);
                Span<float> kept = values.Slice(r * keptPerRow, keptPerRow);
                Span<byte> index = structure.Slice(2 * r * keptPerRow, 2 * keptPerRow);
                var selection = new RowSelection(row, keptPerRow, scratch);
                int t = 0;
                for (int c = 0; c < k; c++)
                {
                    if (!selection.Keeps(row[c])) continue;
                    BinaryPrimitives.WriteUInt16LittleEndian(index[(2 * t)..], (ushort)c);
                    kept[t++] = row[c];
                }
            }
        }
        finally
        {
            ArrayPool<uint>.Shared.Return(scratch);
        }
    }

    /// <summary>
    /// Packs the <paramref name="keptPerRow"/> largest-magnitude weights of each row in the int8 layout: the kept
    /// values quantized per row (<see cref="Int8Quantizer"/>'s rule, the scale from the kept values only) into
    /// <paramref name="values"/> / <paramref name="scales"/>, <paramref name="structure"/> the row bitmasks.
    /// </summary>
    public static void PruneUnstructuredInt8(ReadOnlySpan<float> w, int n, int k, int keptPerRow, Span<sbyte> values,
        Span<float> scales, Span<byte> structure, string tensorName = "weight")
    {
        CheckUnstructured(w.Length, n, k, keptPerRow);
        CheckOutput(values.Length, SparseLayout.UnstructuredValueCount(n, k, keptPerRow), nameof(values));
        CheckOutput(scales.Length, n, nameof(scales));
        CheckOutput(structure.Length, SparseLayout.UnstructuredStructureBytes(n, k, keptPerRow, int8Values: true), nameof(structure));
        CheckFinite(w, n, k, tensorName);
        int maskBytes = SparseLayout.MaskBytesPerRow(k);
        uint[] scratch = ArrayPool<uint>.Shared.Rent(k);
        float[] keptRow = ArrayPool<float>.Shared.Rent(keptPerRow);
        try
        {
            for (int r = 0; r < n; r++)
            {
                ReadOnlySpan<float> row = w.Slice(r * k, k);
                Span<byte> mask = structure.Slice(r * maskBytes, maskBytes);
                mask.Clear();
                var selection = new RowSelection(row, keptPerRow, scratch);
                int t = 0;
                for (int c = 0; c < k; c++)
                {
                    if (!selection.Keeps(row[c])) continue;
                    mask[c >> 3] |= (byte)(1 << (c & 7));
                    keptRow[t++] = row[c];
                }
                Int8Quantizer.QuantizeRows(keptRow.AsSpan(0, keptPerRow), 1, keptPerRow,
                    values.Slice(r * keptPerRow, keptPerRow), scales.Slice(r, 1), tensorName, r);
            }
        }
        finally
        {
            ArrayPool<uint>.Shared.Return(scratch);
            ArrayPool<float>.Shared.Return(keptRow);
        }
    }

    /// <summary>
    /// Packs the 2 largest-magnitude weights of every 4 along k (a partial last group padded with zero weights past k)
    /// in the fp32 layout: 8-row slices, the last n % 8 rows row-major (see <see cref="SparseLayout"/>).
    /// </summary>
    public static void PruneTwoOfFour(ReadOnlySpan<float> w, int n, int k, Span<float> values, Span<byte> meta,
        string tensorName = "weight")
    {
        CheckShape(w.Length, n, k);
        CheckOutput(values.Length, SparseLayout.TwoOfFourValueCount(n, k), nameof(values));
        CheckOutput(meta.Length, SparseLayout.TwoOfFourMetaBytes(n, k), nameof(meta));
        CheckFinite(w, n, k, tensorName);
        meta[..(int)SparseLayout.TwoOfFourMetaBytes(n, k)].Clear();
        for (int r = 0; r < n; r++)
        {
            ReadOnlySpan<float> row = w.Slice(r * k, k);
            for (int g = 0; 4 * g < k; g++)
            {
                var (first, second) = TopTwo(row, 4 * g);
                var slot = Slot24(n, k, r, g);
                values[slot.First] = 4 * g + first < k ? row[4 * g + first] : 0f;
                values[slot.Second] = 4 * g + second < k ? row[4 * g + second] : 0f;
                meta[slot.MetaByte] |= (byte)((first | second << 2) << slot.Shift);
            }
        }
    }

    /// <summary>
    /// Packs 2:4 like <see cref="PruneTwoOfFour"/> in the int8 layout (row-major, positions in 2-bit planes per 16
    /// groups, see <see cref="SparseLayout"/>), the kept values quantized per row
    /// (<see cref="Int8Quantizer"/>'s rule, the scale from the kept values) into <paramref name="values"/> /
    /// <paramref name="scales"/>.
    /// </summary>
    public static void PruneTwoOfFourInt8(ReadOnlySpan<float> w, int n, int k, Span<sbyte> values, Span<float> scales,
        Span<byte> meta, string tensorName = "weight")
    {
        CheckShape(w.Length, n, k);
        CheckOutput(values.Length, SparseLayout.TwoOfFourValueCount(n, k), nameof(values));
        CheckOutput(scales.Length, n, nameof(scales));
        CheckOutput(meta.Length, SparseLayout.TwoOfFourMetaBytes(n, k), nameof(meta));
        CheckFinite(w, n, k, tensorName);
        int perRow = SparseLayout.ValuesPerRow24(k), metaBytes = SparseLayout.MetaBytesPerRow(k), groups = SparseLayout.Groups24(k);
        float[] kept = ArrayPool<float>.Shared.Rent(perRow);
        try
        {
            for (int r = 0; r < n; r++)
            {
                ReadOnlySpan<float> row = w.Slice(r * k, k);
                Span<byte> m = meta.Slice(r * metaBytes, metaBytes);
                m.Clear();
                for (int g = 0; 4 * g < k; g++)
                {
                    var (first, second) = TopTwo(row, 4 * g);
                    kept[2 * g] = 4 * g + first < k ? row[4 * g + first] : 0f;
                    kept[2 * g + 1] = 4 * g + second < k ? row[4 * g + second] : 0f;
                    var (b0, s0) = SparseLayout.Int8Position24(groups, g, 0);
                    var (b1, s1) = SparseLayout.Int8Position24(groups, g, 1);
                    m[b0] |= (byte)(first << s0);
                    m[b1] |= (byte)(second << s1);
                }
                Int8Quantizer.QuantizeRows(kept.AsSpan(0, perRow), 1, perRow, values.Slice(r * perRow, perRow), scales.Slice(r, 1), tensorName, r);
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(kept);
        }
    }

    /// <summary>Zeroes, in place, the weights <see cref="PruneUnstructured"/> would drop (for a pruned layer kept dense).</summary>
    public static void ZeroUnstructured(Span<float> w, int n, int k, int keptPerRow, string tensorName = "weight")
    {
        CheckUnstructured(w.Length, n, k, keptPerRow);
        CheckFinite(w, n, k, tensorName);
        uint[] scratch = ArrayPool<uint>.Shared.Rent(k);
        try
        {
            for (int r = 0; r < n; r++)
            {
                Span<float> row = w.Slice(r * k, k);
                var selection = new RowSelection(row, keptPerRow, scratch);
                for (int c = 0; c < k; c++)
                    if (!selection.Keeps(row[c])) row[c] = 0f;
            }
        }
        finally
        {
            ArrayPool<uint>.Shared.Return(scratch);
        }
    }

    /// <summary>Zeroes, in place, the weights <see cref="PruneTwoOfFour"/> would drop.</summary>
    public static void ZeroTwoOfFour(Span<float> w, int n, int k, string tensorName = "weight")
    {
        CheckShape(w.Length, n, k);
        CheckFinite(w, n, k, tensorName);
        for (int r = 0; r < n; r++)
        {
            Span<float> row = w.Slice(r * k, k);
            for (int g = 0; 4 * g < k; g++)
            {
                var (first, second) = TopTwo(row, 4 * g);
                for (int p = 0; p < 4 && 4 * g + p < k; p++)
                    if (p != first && p != second) row[4 * g + p] = 0f;
            }
        }
    }

    /// <summary>Unpacks the fp32 unstructured layout (values, uint16 columns) into dense w [n, k] (pruned weights 0).</summary>
    public static void ExpandUnstructured(ReadOnlySpan<float> values, ReadOnlySpan<byte> structure, int n, int k,
        int keptPerRow, Span<float> w)
    {
        CheckUnstructured(w.Length, n, k, keptPerRow);
        CheckOutput(values.Length, SparseLayout.UnstructuredValueCount(n, k, keptPerRow), nameof(values));
        CheckOutput(structure.Length, SparseLayout.UnstructuredStructureBytes(n, k, keptPerRow, int8Values: false), nameof(structure));
        w[..(n * k)].Clear();
        for (int r = 0; r < n; r++)
        {
            int previous = -1;
            for (int t = 0; t < keptPerRow; t++)
            {
                int c = BinaryPrimitives.ReadUInt16LittleEndian(structure[(2 * (r * keptPerRow + t))..]);
                if (c >= k || c <= previous)
                    throw new ArgumentException(
                        $"structure row {r}: column {c} at position {t} is not below k = {k} and above the previous one.", nameof(structure));
                w[r * k + c] = values[r * keptPerRow + t];
                previous = c;
            }
        }
    }

    /// <summary>Unpacks the int8 unstructured layout (values, scales, bitmask) into dense w [n, k] = q * scale (pruned weights 0).</summary>
    public static void ExpandUnstructuredInt8(ReadOnlySpan<sbyte> values, ReadOnlySpan<float> scales, ReadOnlySpan<byte> structure,
        int n, int k, int keptPerRow, Span<float> w)
    {
        CheckUnstructured(w.Length, n, k, keptPerRow);
        CheckOutput(values.Length, SparseLayout.UnstructuredValueCount(n, k, keptPerRow), nameof(values));
        CheckOutput(scales.Length, n, nameof(scales));
        CheckOutput(structure.Length, SparseLayout.UnstructuredStructureBytes(n, k, keptPerRow, int8Values: true), nameof(structure));
        int maskBytes = SparseLayout.MaskBytesPerRow(k);
        for (int r = 0; r < n; r++)
        {
            ReadOnlySpan<byte> mask = structure.Slice(r * maskBytes, maskBytes);
            int t = 0;
            for (int c = 0; c < maskBytes * 8; c++)
            {
                if ((mask[c >> 3] >> (c & 7) & 1) == 0)
                {
                    if (c < k) w[r * k + c] = 0f;
                    continue;
                }
                if (c >= k || t == keptPerRow)
                    throw new ArgumentException(
                        $"structure row {r} does not mark exactly keptPerRow = {keptPerRow} of the k = {k} columns.", nameof(structure));
                w[r * k + c] = values[r * keptPerRow + t++] * scales[r];
            }
            if (t != keptPerRow)
                throw new ArgumentException(
                    $"structure row {r} marks {t} columns; keptPerRow = {keptPerRow}.", nameof(structure));
        }
    }

    /// <summary>Unpacks the fp32 2:4 layout into dense w [n, k] (pruned weights 0; padding past k dropped).</summary>
    public static void ExpandTwoOfFour(ReadOnlySpan<float> values, ReadOnlySpan<byte> meta, int n, int k, Span<float> w)
    {
        CheckShape(w.Length, n, k);
        CheckOutput(values.Length, SparseLayout.TwoOfFourValueCount(n, k), nameof(values));
        CheckOutput(meta.Length, SparseLayout.TwoOfFourMetaBytes(n, k), nameof(meta));
        w[..(n * k)].Clear();
        for (int r = 0; r < n; r++)
            for (int g = 0; 4 * g < k; g++)
            {
                var slot = Slot24(n, k, r, g);
                int nibble = meta[slot.MetaByte] >> slot.Shift;
                int first = nibble & 3, second = nibble >> 2 & 3;
                if (first >= second)
                    throw new ArgumentException(
                        $"meta row {r}, group {g}: positions {first} and {second} are not two increasing positions.", nameof(meta));
                if (4 * g + first < k) w[r * k + 4 * g + first] = values[slot.First];
                if (4 * g + second < k) w[r * k + 4 * g + second] = values[slot.Second];
            }
    }

    /// <summary>
    /// Where row r's group g lives in the fp32 layout: its two values and its nibble (byte and shift); 8-row slices,
    /// then the last n % 8 rows row-major with a nibble per group.
    /// </summary>
    private static (int First, int Second, int MetaByte, int Shift) Slot24(int n, int k, int r, int g)
    {
        int perRow = SparseLayout.ValuesPerRow24(k), metaBytes = SparseLayout.MetaBytesPerRow(k);
        if (r < SparseLayout.SlicedRows24(n))
        {
            int first = r & ~7, lane = r & 7;
            int v = first * perRow + 16 * g + lane;
            return (v, v + 8, first * metaBytes + 4 * g + (lane >> 1), 4 * (lane & 1));
        }
        return (r * perRow + 2 * g, r * perRow + 2 * g + 1, r * metaBytes + (g >> 1), 4 * (g & 1));
    }

    /// <summary>
    /// Positions (first &lt; second) of the 2 largest |w| among columns start .. start + 3; ties to the lower column;
    /// columns past the row count below every real weight (the zero padding of a partial last group).
    /// </summary>
    private static (int First, int Second) TopTwo(ReadOnlySpan<float> row, int start)
    {
        int best = -1, next = -1;
        long bestKey = -1, nextKey = -1;
        for (int p = 0; p < 4; p++)
        {
            long key = start + p < row.Length ? MagnitudeBits(row[start + p]) : -1 - p;
            if (best < 0 || key > bestKey)
            {
                (next, nextKey) = (best, bestKey);
                (best, bestKey) = (p, key);
            }
            else if (next < 0 || key > nextKey)
            {
                (next, nextKey) = (p, key);
            }
        }
        return (Math.Min(best, next), Math.Max(best, next));
    }

    /// <summary>|w| as integer bits: orders like the magnitudes for finite floats, -0 equal to +0.</summary>
    private static uint MagnitudeBits(float value) => BitConverter.SingleToUInt32Bits(value) & 0x7FFFFFFF;

    /// <summary>
    /// Which weights of one row the top-<c>kept</c> selection keeps: every magnitude above the kept-th largest, then
    /// that magnitude's ties from the lowest column on. Feed <see cref="Keeps"/> the row in column order.
    /// </summary>
    private ref struct RowSelection
    {
        private readonly uint _threshold;
        private int _ties;

        public RowSelection(ReadOnlySpan<float> row, int kept, uint[] scratch)
        {
            Span<uint> bits = scratch.AsSpan(0, row.Length);
            for (int c = 0; c < row.Length; c++) bits[c] = MagnitudeBits(row[c]);
            bits.Sort();
            _threshold = bits[row.Length - kept];
            // Of the kept-th largest magnitude, keep as many as remain after every larger one.
            int above = row.Length - bits.LastIndexOf(_threshold) - 1;
            _ties = kept - above;
        }

        public bool Keeps(float value)
        {
            uint m = MagnitudeBits(value);
            if (m > _threshold) return true;
            if (m < _threshold || _ties == 0) return false;
            _ties--;
            return true;
        }
    }

    private static void CheckShape(int wLength, int n, int k)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        CheckOutput(wLength, (long)n * k, "w");
    }

    private static void CheckUnstructured(int wLength, int n, int k, int keptPerRow)
    {
        SparseLayout.CheckUnstructured(n, k, keptPerRow);
        CheckOutput(wLength, (long)n * k, "w");
    }

    private static void CheckOutput(int length, long required, string name)
    {
        if (length < required)
            throw new ArgumentException($"{name} has {length} elements; {required} are required.", name);
    }

    private static void CheckFinite(ReadOnlySpan<float> w, int n, int k, string tensorName)
    {
        long count = (long)n * k;
        for (int i = 0; i < count; i++)
        {
            if (!float.IsFinite(w[i]))
                throw new ArgumentException(
                    $"Cannot prune '{tensorName}': row {i / k}, column {i % k} holds {FloatFormat.Describe(w[i])}, not a finite number.", "w");
        }
    }
}
