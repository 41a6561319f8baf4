using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ModelGen.Kernels;

/// <summary>
/// x64 AVX2 fp32 sparse kernels. Unstructured: per mask byte, VPERMPS spreads 8 packed values to their columns
/// (controls from <see cref="SparseTables.ExpandFloat8"/>) and the byte's bits, as a lane mask, zero the pruned lanes
/// of w and x. 2:4: per meta byte VPERMPS gathers the 4 x values two groups keep, two bytes fill one FMA.
/// </summary>
internal static class SparseFloatAvx2
{
    public static void Unstructured(in SparseDense<float, float> a)
    {
        for (int j = 0; j < a.N; j++)
            for (int b = 0; b < a.Batch; b++)
                a.Store(b, j, UnstructuredRow(in a, ref a.XRow(b), j));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float UnstructuredRow(in SparseDense<float, float> a, ref float x, int j)
    {
        ref byte mask = ref a.StructureRow(j);
        ref int expand = ref MemoryMarshal.GetArrayDataReference(SparseTables.ExpandFloat8);
        nint pos = a.RowStart(j);
        Vector256<float> s0 = default, s1 = default, s2 = default, s3 = default;
        int c = 0;
        // 4 mask bytes per step read at most 32 values from pos, one byte at most 8: stay inside the values span.
        for (; c + 32 <= a.K && pos <= a.ValueCount - 32; c += 32)
        {
            ref byte m = ref Unsafe.Add(ref mask, c >> 3);
            s0 = Step(ref a.Values, ref x, ref expand, m, c, ref pos, s0);
            s1 = Step(ref a.Values, ref x, ref expand, Unsafe.Add(ref m, 1), c + 8, ref pos, s1);
            s2 = Step(ref a.Values, ref x, ref expand, Unsafe.Add(ref m, 2), c + 16, ref pos, s2);
            s3 = Step(ref a.Values, ref x, ref expand, Unsafe.Add(ref m, 3), c + 24, ref pos, s3);
        }
        for (; c + 8 <= a.K && pos <= a.ValueCount - 8; c += 8)
            s0 = Step(ref a.Values, ref x, ref expand, Unsafe.Add(ref mask, c >> 3), c, ref pos, s0);
        return SparseScalar.UnstructuredFloatFrom(in a, ref x, j, c, pos, Vector256.Sum((s0 + s1) + (s2 + s3)));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Step(ref float values, ref float x, ref int expand, int m, int c, ref nint pos, Vector256<float> acc)
    {
        Vector256<int> bits = Vector256.Create(1, 2, 4, 8, 16, 32, 64, 128);
        Vector256<float> lanes = Vector256.Equals(Vector256.Create(m) & bits, bits).AsSingle();
        Vector256<float> w = Avx2.PermuteVar8x32(Vector256.LoadUnsafe(ref values, (nuint)pos), Vector256.LoadUnsafe(ref expand, (nuint)m * 8));
        pos += BitOperations.PopCount((uint)m);
        return Fma.MultiplyAdd(w & lanes, Vector256.LoadUnsafe(ref x, (nuint)c) & lanes, acc);
    }

    public static void TwoOfFour(in SparseDense<float, float> a)
    {
        for (int j = 0; j < a.N; j++)
            for (int b = 0; b < a.Batch; b++)
                a.Store(b, j, TwoOfFourRow(in a, ref a.XRow(b), j));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float TwoOfFourRow(in SparseDense<float, float> a, ref float x, int j)
    {
        ref byte meta = ref a.StructureRow(j);
        ref float v = ref Unsafe.Add(ref a.Values, a.RowStart(j));
        ref int compress = ref MemoryMarshal.GetArrayDataReference(SparseTables.Compress24Float);
        Vector256<float> s = default, t = default;
        int c = 0;
        // 32 columns = 16 values per step, two accumulators; every load lies inside full groups below k.
        for (; c + 32 <= a.K; c += 32)
        {
            ref byte m = ref Unsafe.Add(ref meta, c >> 3);
            s = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref v, (nuint)c / 2), Compress(ref x, ref compress, c, m, Unsafe.Add(ref m, 1)), s);
            t = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref v, (nuint)c / 2 + 8), Compress(ref x, ref compress, c + 16, Unsafe.Add(ref m, 2), Unsafe.Add(ref m, 3)), t);
        }
        if (c + 16 <= a.K)
        {
            s = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref v, (nuint)c / 2), Compress(ref x, ref compress, c, Unsafe.Add(ref meta, c >> 3), Unsafe.Add(ref meta, (c >> 3) + 1)), s);
            c += 16;
        }
        return SparseScalar.TwoOfFourFloatFrom(in a, ref x, j, c >> 2, Vector256.Sum(s + t));
    }

    /// <summary>The 8 x values that the four 2:4 groups of columns c .. c + 15 (meta bytes m0, m1) keep, in value order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Compress(ref float x, ref int compress, int c, int m0, int m1)
    {
        Vector256<float> a = Avx2.PermuteVar8x32(Vector256.LoadUnsafe(ref x, (nuint)c), Vector256.LoadUnsafe(ref compress, (nuint)m0 * 8));
        Vector256<float> b = Avx2.PermuteVar8x32(Vector256.LoadUnsafe(ref x, (nuint)c + 8), Vector256.LoadUnsafe(ref compress, (nuint)m1 * 8));
        return Vector256.Create(a.GetLower(), b.GetLower());
    }
}
