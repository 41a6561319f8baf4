using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ModelGen.Kernels;

/// <summary>
/// 128-bit fp32 sparse kernels, generic over the multiply-add (portable, or arm64 FMLA). Unstructured (ELL): each
/// row's uint16 column indices checked below k first, then x loaded lane by lane at them. 2:4: each group's nibble picks its two x values with a byte
/// shuffle (compressing x instead of expanding w), so every multiply-add lane does useful work.
/// </summary>
internal static class SparseFloat128
{
    public static void Unstructured<TFma>(in SparseDense<float, float> a) where TFma : struct, IFma128
    {
        for (int j = 0; j < a.N; j++)
            for (int b = 0; b < a.Batch; b++)
                a.Store(b, j, UnstructuredRow<TFma>(in a, ref a.XRow(b), j));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float UnstructuredRow<TFma>(in SparseDense<float, float> a, ref float x, int j) where TFma : struct, IFma128
    {
        ref byte index = ref a.StructureRow(j);
        if (MaxIndex(ref index, a.ValuesPerRow) >= a.K) a.ThrowBadIndex(j);
        ref float v = ref Unsafe.Add(ref a.Values, a.RowStart(j));
        Vector128<float> s = default, t = default;
        int i = 0;
        // No gather instruction: 4 scalar loads per vector.
        for (; i + 8 <= a.ValuesPerRow; i += 8)
        {
            s = TFma.MultiplyAdd(s, Vector128.LoadUnsafe(ref v, (nuint)i), Gather4(ref x, ref Unsafe.Add(ref index, 2 * i)));
            t = TFma.MultiplyAdd(t, Vector128.LoadUnsafe(ref v, (nuint)i + 4), Gather4(ref x, ref Unsafe.Add(ref index, 2 * i + 8)));
        }
        return SparseScalar.UnstructuredFloatFrom(in a, ref x, j, i, Vector128.Sum(s + t));
    }

    /// <summary>The largest of a row's <paramref name="count"/> uint16 column indices (0 for none).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int MaxIndex(ref byte index, int count)
    {
        ref ushort first = ref Unsafe.As<byte, ushort>(ref index);
        Vector128<ushort> max = default;
        int t = 0;
        for (; t + 8 <= count; t += 8)
            max = Vector128.Max(max, Vector128.LoadUnsafe(ref first, (nuint)t));
        int m = 0;
        for (int lane = 0; lane < Vector128<ushort>.Count; lane++)
            m = Math.Max(m, max.GetElement(lane));
        for (; t < count; t++)
            m = Math.Max(m, Unsafe.ReadUnaligned<ushort>(ref Unsafe.Add(ref index, 2 * t)));
        return m;
    }

    /// <summary>x at 4 uint16 column indices, all already checked below k.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> Gather4(ref float x, ref byte index) => Vector128.Create(
        Unsafe.Add(ref x, Unsafe.ReadUnaligned<ushort>(ref index)),
        Unsafe.Add(ref x, Unsafe.ReadUnaligned<ushort>(ref Unsafe.Add(ref index, 2))),
        Unsafe.Add(ref x, Unsafe.ReadUnaligned<ushort>(ref Unsafe.Add(ref index, 4))),
        Unsafe.Add(ref x, Unsafe.ReadUnaligned<ushort>(ref Unsafe.Add(ref index, 6))));

    public static void TwoOfFour<TFma>(in SparseDense<float, float> a) where TFma : struct, IFma128
    {
        for (int j = 0; j < a.N; j++)
            for (int b = 0; b < a.Batch; b++)
                a.Store(b, j, TwoOfFourRow<TFma>(in a, ref a.XRow(b), j));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float TwoOfFourRow<TFma>(in SparseDense<float, float> a, ref float x, int j) where TFma : struct, IFma128
    {
        ref byte meta = ref a.StructureRow(j);
        ref float v = ref Unsafe.Add(ref a.Values, a.RowStart(j));
        ref byte low = ref MemoryMarshal.GetArrayDataReference(SparseTables.Compress24FloatLow);
        ref byte high = ref MemoryMarshal.GetArrayDataReference(SparseTables.Compress24FloatHigh);
        ref byte xb = ref Unsafe.As<float, byte>(ref x);
        Vector128<float> s = default, t = default;
        int c = 0;
        // 16 columns = 4 groups = 8 values per step, two accumulators; every load lies inside full groups below k.
        for (; c + 16 <= a.K; c += 16)
        {
            s = TFma.MultiplyAdd(s, Vector128.LoadUnsafe(ref v, (nuint)c / 2), Compress(ref xb, c, Unsafe.Add(ref meta, c >> 3), ref low, ref high));
            t = TFma.MultiplyAdd(t, Vector128.LoadUnsafe(ref v, (nuint)c / 2 + 4), Compress(ref xb, c + 8, Unsafe.Add(ref meta, (c >> 3) + 1), ref low, ref high));
        }
        if (c + 8 <= a.K)
        {
            s = TFma.MultiplyAdd(s, Vector128.LoadUnsafe(ref v, (nuint)c / 2), Compress(ref xb, c, Unsafe.Add(ref meta, c >> 3), ref low, ref high));
            c += 8;
        }
        return SparseScalar.TwoOfFourFloatFrom(in a, ref x, j, c >> 2, Vector128.Sum(s + t));
    }

    /// <summary>The 4 x values two 2:4 groups (columns c .. c + 7, one meta byte) keep, in value order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> Compress(ref byte x, int c, int meta, ref byte low, ref byte high)
    {
        Vector128<byte> a = ByteShuffle128.Shuffle(Vector128.LoadUnsafe(ref x, (nuint)c * 4), Vector128.LoadUnsafe(ref low, (nuint)(meta & 15) * 16));
        Vector128<byte> b = ByteShuffle128.Shuffle(Vector128.LoadUnsafe(ref x, (nuint)c * 4 + 16), Vector128.LoadUnsafe(ref high, (nuint)(meta >> 4) * 16));
        return (a | b).AsSingle();
    }
}
