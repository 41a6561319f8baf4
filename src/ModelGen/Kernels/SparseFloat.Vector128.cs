using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace ModelGen.Kernels;

/// <summary>
/// 128-bit fp32 sparse kernels, generic over the multiply-add (portable, or arm64 FMLA). Unstructured (ELL): each
/// row's uint16 column indices checked below k first, then x loaded lane by lane at them. 2:4 (8-row slices, see
/// <see cref="SparseLayout"/>): per group a byte shuffle picks each row's x, every multiply-add lane does useful work.
/// </summary>
internal static class SparseFloat128
{
    public static void Unstructured<TFma>(in SparseDense<float, float> a) where TFma : struct, IFma128
    {
        for (int j = 0; j < a.N; j++)
        {
            ref byte index = ref CheckedIndexRow(in a, j);
            for (int b = 0; b < a.Batch; b++)
                a.Store(b, j, UnstructuredRow<TFma>(in a, ref a.XRow(b), j, ref index));
        }
    }

    /// <summary>
    /// Row j's uint16 column indices, after checking them all below k: once per row whatever the batch (the products
    /// of every x row then read them from L1).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ref byte CheckedIndexRow(in SparseDense<float, float> a, int j)
    {
        ref byte index = ref a.StructureRow(j);
        if (MaxIndex(ref index, a.ValuesPerRow) >= a.K) a.ThrowBadIndex(j);
        return ref index;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float UnstructuredRow<TFma>(in SparseDense<float, float> a, ref float x, int j, ref byte index) where TFma : struct, IFma128
    {
        ref float v = ref Unsafe.Add(ref a.Values, a.RowStart(j));
        Vector128<float> s = default, t = default;
        int i = 0;
        // No gather instruction: 4 scalar loads per vector.
        int count = a.ValuesPerRow;
        for (; i + 8 <= count; i += 8)
        {
            s = TFma.MultiplyAdd(s, Vector128.LoadUnsafe(ref v, (nuint)i), Gather4(ref x, ref Unsafe.Add(ref index, 2 * i)));
            t = TFma.MultiplyAdd(t, Vector128.LoadUnsafe(ref v, (nuint)i + 4), Gather4(ref x, ref Unsafe.Add(ref index, 2 * i + 8)));
        }
        if (i + 4 <= count)
        {
            s = TFma.MultiplyAdd(s, Vector128.LoadUnsafe(ref v, (nuint)i), Gather4(ref x, ref Unsafe.Add(ref index, 2 * i)));
            i += 4;
        }
        if (i == count || count < 4)
            return SparseScalar.UnstructuredFloatFrom(in a, ref x, j, i, Vector128.Sum(s + t));
        // The last 4 kept weights again, the lanes already summed masked off: no scalar tail.
        int last = count - 4;
        Vector128<float> fresh = Vector128.GreaterThanOrEqual(Vector128.Create(last) + Vector128.Create(0, 1, 2, 3), Vector128.Create(i)).AsSingle();
        Vector128<float> sum = TFma.MultiplyAdd(t, Vector128.LoadUnsafe(ref v, (nuint)last), Gather4(ref x, ref Unsafe.Add(ref index, 2 * last)));
        return Vector128.Sum(s + Vector128.ConditionalSelect(fresh, sum, t));
    }

    /// <summary>
    /// The largest of a row's <paramref name="count"/> uint16 column indices (0 for none): 8 per vector max, the last
    /// 8 as one more (overlapping indices already seen does not change a maximum), no scalar tail from 8 on.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int MaxIndex(ref byte index, int count)
    {
        ref ushort first = ref Unsafe.As<byte, ushort>(ref index);
        if (count < Vector128<ushort>.Count)
        {
            int m = 0;
            for (int t = 0; t < count; t++)
                m = Math.Max(m, Unsafe.Add(ref first, t));
            return m;
        }
        Vector128<ushort> max = Vector128.LoadUnsafe(ref first, (nuint)(count - Vector128<ushort>.Count));
        for (int t = 0; t + Vector128<ushort>.Count <= count; t += Vector128<ushort>.Count)
            max = Vector128.Max(max, Vector128.LoadUnsafe(ref first, (nuint)t));
        return HorizontalMax(max);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int HorizontalMax(Vector128<ushort> v)
    {
        // One instruction where there is one (PHMINPOSUW finds the minimum: take it of the complement).
        if (Sse41.IsSupported) return ushort.MaxValue - Sse41.MinHorizontal(~v).ToScalar();
        if (AdvSimd.Arm64.IsSupported) return AdvSimd.Arm64.MaxAcross(v).ToScalar();
        int m = 0;
        for (int lane = 0; lane < Vector128<ushort>.Count; lane++)
            m = Math.Max(m, v.GetElement(lane));
        return m;
    }

    /// <summary>x at 4 uint16 column indices, all already checked below k (one 64-bit load split by shifts, as the AVX2 path).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> Gather4(ref float x, ref byte index)
    {
        ulong four = Unsafe.ReadUnaligned<ulong>(ref index);
        return Vector128.Create(Unsafe.Add(ref x, (nuint)(ushort)four), Unsafe.Add(ref x, (nuint)(ushort)(four >> 16)),
            Unsafe.Add(ref x, (nuint)(ushort)(four >> 32)), Unsafe.Add(ref x, (nuint)(four >> 48)));
    }

    public static void TwoOfFour<TFma>(in SparseDense<float, float> a) where TFma : struct, IFma128
    {
        int sliced = SparseLayout.SlicedRows24(a.N);
        for (int j = 0; j < sliced; j += 8)
            for (int b = 0; b < a.Batch; b++)
                TwoOfFourSlice<TFma>(in a, ref a.XRow(b), j, b);
        for (int j = sliced; j < a.N; j++)
            for (int b = 0; b < a.Batch; b++)
                a.Store(b, j, SparseScalar.TwoOfFourFloatFrom(in a, ref a.XRow(b), j, 0, 0f));
    }

    /// <summary>
    /// Rows j .. j + 7 (one slice) against one x row, as two halves of 4 rows: per group a byte shuffle picks each
    /// row's first and second x out of the group's 4 (controls from <see cref="SparseTables.Slice24First"/>, one
    /// lookup per 2 rows), then 4 multiply-adds with the slice's values.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TwoOfFourSlice<TFma>(in SparseDense<float, float> a, ref float x, int j, int b) where TFma : struct, IFma128
    {
        ref float v = ref Unsafe.Add(ref a.Values, a.RowStart(j));
        ref byte meta = ref a.StructureRow(j);
        ref ulong first = ref MemoryMarshal.GetArrayDataReference(SparseTables.Slice24First);
        ref ulong second = ref MemoryMarshal.GetArrayDataReference(SparseTables.Slice24Second);
        Vector128<float> lo = default, hi = default, lo2 = default, hi2 = default;
        int groups = SparseLayout.Groups24(a.K), full = a.K >> 2;
        for (int g = 0; g < groups; g++)
        {
            Vector128<byte> x4;
            if (g < full)
            {
                x4 = Vector128.LoadUnsafe(ref x, (nuint)(4 * g)).AsByte();
            }
            else
            {
                // The partial last group: x past k reads as 0 (no load leaves x).
                int c = 4 * g, left = a.K & 3;
                x4 = Vector128.Create(Unsafe.Add(ref x, c), left > 1 ? Unsafe.Add(ref x, c + 1) : 0f,
                    left > 2 ? Unsafe.Add(ref x, c + 2) : 0f, 0f).AsByte();
            }
            ref byte m = ref Unsafe.Add(ref meta, 4 * g);
            byte m0 = m, m1 = Unsafe.Add(ref m, 1), m2 = Unsafe.Add(ref m, 2), m3 = Unsafe.Add(ref m, 3);
            nuint o = (nuint)(16 * g);
            lo = TFma.MultiplyAdd(lo, Vector128.LoadUnsafe(ref v, o), Pick(x4, ref first, m0, m1));
            hi = TFma.MultiplyAdd(hi, Vector128.LoadUnsafe(ref v, o + 4), Pick(x4, ref first, m2, m3));
            lo2 = TFma.MultiplyAdd(lo2, Vector128.LoadUnsafe(ref v, o + 8), Pick(x4, ref second, m0, m1));
            hi2 = TFma.MultiplyAdd(hi2, Vector128.LoadUnsafe(ref v, o + 12), Pick(x4, ref second, m2, m3));
        }
        lo += lo2;
        hi += hi2;
        for (int r = 0; r < 4; r++)
        {
            a.Store(b, j + r, lo.GetElement(r));
            a.Store(b, j + 4 + r, hi.GetElement(r));
        }
    }

    /// <summary>For 4 rows (nibble bytes m0, m1), each row's chosen x out of the group's 4 floats.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> Pick(Vector128<byte> x4, ref ulong table, byte m0, byte m1) =>
        ByteShuffle128.Shuffle(x4, Vector128.Create(Unsafe.Add(ref table, m0), Unsafe.Add(ref table, m1)).AsByte()).AsSingle();
}
