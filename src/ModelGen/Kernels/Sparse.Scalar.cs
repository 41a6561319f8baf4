using System.Runtime.CompilerServices;

namespace ModelGen.Kernels;

/// <summary>
/// Plain loops over the packed sparse weights: the reference every sparse path is tested against, and the code
/// that finishes a row on the vector paths (its last kept weights, mask bytes or groups, and the row-major 2:4 rows).
/// </summary>
internal static class SparseScalar
{
    public static void UnstructuredFloat(in SparseDense<float, float> a)
    {
        for (int j = 0; j < a.N; j++)
            for (int b = 0; b < a.Batch; b++)
                a.Store(b, j, UnstructuredFloatFrom(in a, ref a.XRow(b), j, 0, 0f));
    }

    public static void UnstructuredInt8(in SparseDense<sbyte, sbyte> a)
    {
        for (int j = 0; j < a.N; j++)
            for (int b = 0; b < a.Batch; b++)
                a.Store(b, j, UnstructuredInt8From(in a, ref a.XRow(b), j, 0, a.RowStart(j), 0));
    }

    public static void TwoOfFourFloat(in SparseDense<float, float> a)
    {
        for (int j = 0; j < a.N; j++)
            for (int b = 0; b < a.Batch; b++)
                a.Store(b, j, TwoOfFourFloatFrom(in a, ref a.XRow(b), j, 0, 0f));
    }

    public static void TwoOfFourInt8(in SparseDense<sbyte, sbyte> a)
    {
        for (int j = 0; j < a.N; j++)
            for (int b = 0; b < a.Batch; b++)
                a.Store(b, j, TwoOfFourInt8From(in a, ref a.XRow(b), j, 0, 0));
    }

    /// <summary>
    /// Adds the products of row j's kept weights from the <paramref name="t"/>-th on (fp32 layout: uint16 column
    /// indices) to <paramref name="sum"/>; an index at or past k throws.
    /// </summary>
    public static float UnstructuredFloatFrom(in SparseDense<float, float> a, ref float x, int j, int t, float sum)
    {
        ref byte index = ref a.StructureRow(j);
        ref float v = ref Unsafe.Add(ref a.Values, a.RowStart(j));
        for (; t < a.ValuesPerRow; t++)
        {
            int c = Unsafe.ReadUnaligned<ushort>(ref Unsafe.Add(ref index, 2 * t));
            if (c >= a.K) a.ThrowBadIndex(j);
            sum += Unsafe.Add(ref v, t) * Unsafe.Add(ref x, c);
        }
        return sum;
    }

    /// <summary>
    /// Adds the products of row j's kept weights from column <paramref name="c"/> (a multiple of 8) on, whose first
    /// packed value is at <paramref name="pos"/>, to <paramref name="sum"/> (int8 layout: bitmask); checks the row
    /// marks exactly keptPerRow columns, none past k.
    /// </summary>
    public static int UnstructuredInt8From(in SparseDense<sbyte, sbyte> a, ref sbyte x, int j, int c, nint pos, int sum)
    {
        ref byte mask = ref a.StructureRow(j);
        nint end = a.RowStart(j) + a.ValuesPerRow;
        CheckPastK(in a, ref mask, j);
        for (; c < a.K; c++)
        {
            if ((Unsafe.Add(ref mask, c >> 3) >> (c & 7) & 1) == 0) continue;
            if (pos >= end) a.ThrowBadRow(j);
            sum += Unsafe.Add(ref a.Values, pos++) * Unsafe.Add(ref x, c);
        }
        if (pos != end) a.ThrowBadRow(j);
        return sum;
    }

    /// <summary>
    /// Adds the products of row j's 2:4 groups from group <paramref name="g"/> on to <paramref name="sum"/> (fp32
    /// layout: 8-row slices, the last n % 8 rows row-major; see <see cref="SparseLayout"/>): each group's first value
    /// with x at column 4g' + bits 0-1 of its nibble, its second with 4g' + bits 2-3. A column at or past k (the
    /// padding of a partial last group) meets x = 0, as the vector paths' zero-filled last group does.
    /// </summary>
    public static float TwoOfFourFloatFrom(in SparseDense<float, float> a, ref float x, int j, int g, float sum)
    {
        int groups = SparseLayout.Groups24(a.K);
        bool sliced = j < SparseLayout.SlicedRows24(a.N);
        int first = j & ~7, r = j & 7;
        ref float v = ref Unsafe.Add(ref a.Values, a.RowStart(sliced ? first : j));
        ref byte meta = ref a.StructureRow(sliced ? first : j);
        for (; g < groups; g++)
        {
            int nibble;
            float v0, v1;
            if (sliced)
            {
                nibble = (int)(Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref meta, 4 * g)) >> (4 * r));
                v0 = Unsafe.Add(ref v, 16 * g + r);
                v1 = Unsafe.Add(ref v, 16 * g + 8 + r);
            }
            else
            {
                nibble = Unsafe.Add(ref meta, g >> 1) >> ((g & 1) << 2);
                v0 = Unsafe.Add(ref v, 2 * g);
                v1 = Unsafe.Add(ref v, 2 * g + 1);
            }
            int c0 = 4 * g + (nibble & 3), c1 = 4 * g + (nibble >> 2 & 3);
            sum += v0 * (c0 < a.K ? Unsafe.Add(ref x, c0) : 0f);
            sum += v1 * (c1 < a.K ? Unsafe.Add(ref x, c1) : 0f);
        }
        return sum;
    }

    /// <summary>
    /// Adds the products of row j's 2:4 groups from group <paramref name="g"/> on to <paramref name="sum"/> (int8
    /// layout: row-major, positions at <see cref="SparseLayout.Int8Position24"/>): value 2g' with column 4g' + its
    /// first position, value 2g' + 1 with 4g' + its second; columns at or past k (the padding of a partial last group)
    /// contribute nothing.
    /// </summary>
    public static int TwoOfFourInt8From(in SparseDense<sbyte, sbyte> a, ref sbyte x, int j, int g, int sum)
    {
        ref byte meta = ref a.StructureRow(j);
        ref sbyte v = ref Unsafe.Add(ref a.Values, a.RowStart(j));
        int groups = SparseLayout.Groups24(a.K);
        for (; g < groups; g++)
        {
            var (b0, s0) = SparseLayout.Int8Position24(groups, g, 0);
            var (b1, s1) = SparseLayout.Int8Position24(groups, g, 1);
            int c0 = 4 * g + (Unsafe.Add(ref meta, b0) >> s0 & 3), c1 = 4 * g + (Unsafe.Add(ref meta, b1) >> s1 & 3);
            if (c0 < a.K) sum += Unsafe.Add(ref v, 2 * g) * Unsafe.Add(ref x, c0);
            if (c1 < a.K) sum += Unsafe.Add(ref v, 2 * g + 1) * Unsafe.Add(ref x, c1);
        }
        return sum;
    }

    /// <summary>Bits past k in a row's last mask byte must be 0 (a mask marking them is malformed, not silently cut).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CheckPastK<TX, TV>(in SparseDense<TX, TV> a, ref byte mask, int j)
        where TX : unmanaged where TV : unmanaged
    {
        if ((a.K & 7) != 0 && (Unsafe.Add(ref mask, a.K >> 3) >> (a.K & 7)) != 0) a.ThrowBadRow(j);
    }
}
