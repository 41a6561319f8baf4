using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ModelGen.Kernels;

/// <summary>
/// 128-bit fp32 sparse kernels, generic over the multiply-add (portable, or arm64 FMLA). Unstructured: each mask
/// nibble expands 4 packed values to their lanes with a byte shuffle (pruned lanes 0) and masks x the same way, so
/// pruned columns add exactly 0. 2:4: each group's nibble picks its two x values (compressing x instead of expanding
/// w), so every multiply-add lane does useful work.
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
        ref byte mask = ref a.StructureRow(j);
        ref byte expand = ref MemoryMarshal.GetArrayDataReference(SparseTables.ExpandFloat4);
        ref int laneMask = ref MemoryMarshal.GetArrayDataReference(SparseTables.LaneMask4);
        ref byte values = ref Unsafe.As<float, byte>(ref a.Values);
        nint pos = a.RowStart(j);
        // A mask byte's two loads read at most 8 values from pos: stay inside the values span.
        nint lastSafe = a.ValueCount - 8;
        Vector128<float> s = default, t = default;
        int c = 0;
        for (; c + 8 <= a.K && pos <= lastSafe; c += 8)
        {
            int m = Unsafe.Add(ref mask, c >> 3);
            int lo = m & 15, hi = m >> 4;
            Vector128<float> w = ByteShuffle128.Shuffle(Vector128.LoadUnsafe(ref values, (nuint)pos * 4),
                Vector128.LoadUnsafe(ref expand, (nuint)lo * 16)).AsSingle();
            Vector128<float> xv = Vector128.LoadUnsafe(ref x, (nuint)c) & Vector128.LoadUnsafe(ref laneMask, (nuint)lo * 4).AsSingle();
            s = TFma.MultiplyAdd(s, w, xv);
            pos += BitOperations.PopCount((uint)lo);
            w = ByteShuffle128.Shuffle(Vector128.LoadUnsafe(ref values, (nuint)pos * 4),
                Vector128.LoadUnsafe(ref expand, (nuint)hi * 16)).AsSingle();
            xv = Vector128.LoadUnsafe(ref x, (nuint)c + 4) & Vector128.LoadUnsafe(ref laneMask, (nuint)hi * 4).AsSingle();
            t = TFma.MultiplyAdd(t, w, xv);
            pos += BitOperations.PopCount((uint)hi);
        }
        return SparseScalar.UnstructuredFloatFrom(in a, ref x, j, c, pos, Vector128.Sum(s + t));
    }

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
