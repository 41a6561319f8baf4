using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ModelGen.Kernels;

/// <summary>
/// x64 AVX2 fp32 sparse kernels. Unstructured (ELL): VGATHERDPS fetches the x values of 8 kept weights at once from
/// their uint16 column indices (widened by VPMOVZXWD, clamped below k so no read leaves x; an index past k is found
/// at the end of the row and throws). 2:4: per meta byte VPERMPS gathers the 4 x values two groups keep, two bytes
/// fill one FMA.
/// </summary>
internal static unsafe class SparseFloatAvx2
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
        ref ushort index = ref Unsafe.As<byte, ushort>(ref a.StructureRow(j));
        ref float v = ref Unsafe.Add(ref a.Values, a.RowStart(j));
        Vector256<int> last = Vector256.Create(a.K - 1), seen = default;
        Vector256<float> s0 = default, s1 = default;
        nuint t = 0, kept = (nuint)a.ValuesPerRow;
        fixed (float* xp = &x)
        {
            // 16 kept weights per step, two accumulators to overlap the gathers' latency.
            for (; t + 16 <= kept; t += 16)
            {
                Vector256<int> i0 = Avx2.ConvertToVector256Int32(Vector128.LoadUnsafe(ref index, t));
                Vector256<int> i1 = Avx2.ConvertToVector256Int32(Vector128.LoadUnsafe(ref index, t + 8));
                seen = Avx2.Max(seen, Avx2.Max(i0, i1));
                s0 = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref v, t), Avx2.GatherVector256(xp, Avx2.Min(i0, last), 4), s0);
                s1 = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref v, t + 8), Avx2.GatherVector256(xp, Avx2.Min(i1, last), 4), s1);
            }
            if (t + 8 <= kept)
            {
                Vector256<int> i0 = Avx2.ConvertToVector256Int32(Vector128.LoadUnsafe(ref index, t));
                seen = Avx2.Max(seen, i0);
                s0 = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref v, t), Avx2.GatherVector256(xp, Avx2.Min(i0, last), 4), s0);
                t += 8;
            }
        }
        if (Vector256.GreaterThanAny(seen, last)) a.ThrowBadIndex(j);
        return SparseScalar.UnstructuredFloatFrom(in a, ref x, j, (int)t, Vector256.Sum(s0 + s1));
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
