using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ModelGen.Kernels;

/// <summary>
/// x64 AVX2 fp32 sparse kernels. Unstructured (ELL): each row's uint16 column indices are checked below k first (one
/// vector max per 8, the indices then sit in L1 for the products), then x is fetched at them 8 at a time for one FMA.
/// 2:4 (8-row slices, see <see cref="SparseLayout"/>): 8 rows per group with a broadcast, two in-lane permutes and
/// two FMAs.
/// </summary>
internal static class SparseFloatAvx2
{
    /// <summary>Rows prefetch their values and indices this many kept weights ahead when the weights stream from memory.</summary>
    private const int PrefetchAhead = 1024;

    /// <summary>Values and index bytes above which the weights stream from memory (several times the L2) and are prefetched.</summary>
    private const long PrefetchAboveBytes = 4L << 20;

    public static void Unstructured(in SparseDense<float, float> a)
    {
        if ((long)a.N * a.ValuesPerRow * (sizeof(float) + sizeof(ushort)) > PrefetchAboveBytes)
            Unstructured<Prefetch>(in a);
        else
            Unstructured<NoPrefetch>(in a);
    }

    private static void Unstructured<TP>(in SparseDense<float, float> a) where TP : struct, IPrefetchFlag
    {
        for (int j = 0; j < a.N; j++)
        {
            ref byte index = ref SparseFloat128.CheckedIndexRow(in a, j);
            for (int b = 0; b < a.Batch; b++)
                a.Store(b, j, UnstructuredRow<TP>(in a, ref a.XRow(b), j, ref index));
        }
    }

    /// <remarks>
    /// 16 kept weights per step, two accumulators; the last weights take one masked vector step, not a scalar tail
    /// (4096 x 512 at 80%: 2.4 -> 1.1 cycles per kept weight). From memory the hardware prefetchers left this loop at
    /// ~13 GB/s; software prefetch 4 KB ahead took 4096 x 4096 at 80% from 1,460-1,480 to 1,285-1,305 us (same run),
    /// while it slowed cache-resident 784 x 256 by 25%, hence <see cref="PrefetchAboveBytes"/>.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe float UnstructuredRow<TP>(in SparseDense<float, float> a, ref float x, int j, ref byte index)
        where TP : struct, IPrefetchFlag
    {
        ref float v = ref Unsafe.Add(ref a.Values, a.RowStart(j));
        Vector256<float> s0 = default, s1 = default;
        int t = 0;
        for (; t + 16 <= a.ValuesPerRow; t += 16)
        {
            if (TP.Enabled)
            {
                // Past the row (or the arrays) is harmless: a prefetch never faults.
                Sse.Prefetch0(Unsafe.AsPointer(ref Unsafe.Add(ref v, t + PrefetchAhead)));
                Sse.Prefetch0(Unsafe.AsPointer(ref Unsafe.Add(ref index, 2 * (t + PrefetchAhead))));
            }
            Step16(ref x, ref v, ref index, t, ref s0, ref s1);
        }
        return RowEnd(in a, ref x, j, ref v, ref index, t, s0, s1);
    }

    /// <summary>Kept weights t .. t + 15 of a row into its two accumulators.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Step16(ref float x, ref float v, ref byte index, int t, ref Vector256<float> s0, ref Vector256<float> s1)
    {
        s0 = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref v, (nuint)t), Gather8(ref x, ref Unsafe.Add(ref index, 2 * t)), s0);
        s1 = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref v, (nuint)t + 8), Gather8(ref x, ref Unsafe.Add(ref index, 2 * t + 16)), s1);
    }

    /// <summary>
    /// A row's last 8-step, if any, then (rows of 8 or more) its last 8 kept weights again with the lanes already
    /// summed masked off, instead of a scalar tail; the accumulators' sum.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float RowEnd(in SparseDense<float, float> a, ref float x, int j, ref float v, ref byte index, int t,
        Vector256<float> s0, Vector256<float> s1)
    {
        int count = a.ValuesPerRow;
        if (t + 8 <= count)
        {
            s0 = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref v, (nuint)t), Gather8(ref x, ref Unsafe.Add(ref index, 2 * t)), s0);
            t += 8;
        }
        if (t == count || count < 8)
            return SparseScalar.UnstructuredFloatFrom(in a, ref x, j, t, Vector256.Sum(s0 + s1));
        int last = count - 8;
        Vector256<float> fresh = Vector256.GreaterThanOrEqual(Vector256.Create(last) + Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7),
            Vector256.Create(t)).AsSingle();
        Vector256<float> sum = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref v, (nuint)last), Gather8(ref x, ref Unsafe.Add(ref index, 2 * last)), s1);
        return Vector256.Sum(s0 + Vector256.ConditionalSelect(fresh, sum, s1));
    }

    /// <summary>
    /// x at 8 uint16 column indices, all already checked below k. The indices come in two 64-bit loads and are split
    /// by shifts: 8 loads fewer per 8 weights relieves the load ports (4096 x 4096 at 80%: 1.26x -> 1.7-2.2x the dense
    /// kernel; 784 x 256: 0.6-0.8x -> 0.84-1.04x, same run).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Gather8(ref float x, ref byte index)
    {
        ulong lo = Unsafe.ReadUnaligned<ulong>(ref index), hi = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref index, 8));
        return Vector256.Create(
            Unsafe.Add(ref x, (nuint)(ushort)lo), Unsafe.Add(ref x, (nuint)(ushort)(lo >> 16)),
            Unsafe.Add(ref x, (nuint)(ushort)(lo >> 32)), Unsafe.Add(ref x, (nuint)(lo >> 48)),
            Unsafe.Add(ref x, (nuint)(ushort)hi), Unsafe.Add(ref x, (nuint)(ushort)(hi >> 16)),
            Unsafe.Add(ref x, (nuint)(ushort)(hi >> 32)), Unsafe.Add(ref x, (nuint)(hi >> 48)));
    }

    public static void TwoOfFour(in SparseDense<float, float> a)
    {
        int sliced = SparseLayout.SlicedRows24(a.N);
        for (int j = 0; j < sliced; j += 8)
            for (int b = 0; b < a.Batch; b++)
                TwoOfFourSlice(in a, ref a.XRow(b), j, b);
        for (int j = sliced; j < a.N; j++)
            for (int b = 0; b < a.Batch; b++)
                a.Store(b, j, SparseScalar.TwoOfFourFloatFrom(in a, ref a.XRow(b), j, 0, 0f));
    }

    /// <summary>
    /// Rows j .. j + 7 (one slice) against one x row: per group, the 4 x values broadcast to both halves, VPERMILPS
    /// picks each row's first and second x by the low 2 bits of its nibble shifted into its lane; two FMAs with the
    /// slice's 8 first and 8 second values.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TwoOfFourSlice(in SparseDense<float, float> a, ref float x, int j, int b)
    {
        ref float v = ref Unsafe.Add(ref a.Values, a.RowStart(j));
        ref byte meta = ref a.StructureRow(j);
        Vector256<uint> shifts = Vector256.Create(0u, 4, 8, 12, 16, 20, 24, 28);
        Vector256<float> s0 = default, s1 = default, t0 = default, t1 = default;
        nuint g = 0, full = (nuint)a.K >> 2;
        for (; g + 2 <= full; g += 2)
        {
            (s0, t0) = Group(ref v, ref meta, Vector256.Create(Vector128.LoadUnsafe(ref x, 4 * g)), g, shifts, s0, t0);
            (s1, t1) = Group(ref v, ref meta, Vector256.Create(Vector128.LoadUnsafe(ref x, 4 * g + 4)), g + 1, shifts, s1, t1);
        }
        if (g < full)
        {
            (s0, t0) = Group(ref v, ref meta, Vector256.Create(Vector128.LoadUnsafe(ref x, 4 * g)), g, shifts, s0, t0);
            g++;
        }
        if ((a.K & 3) != 0)
        {
            // The partial last group: x past k reads as 0 (no load leaves x).
            nuint c = 4 * g;
            int left = a.K & 3;
            Vector128<float> last = Vector128.Create(Unsafe.Add(ref x, c), left > 1 ? Unsafe.Add(ref x, c + 1) : 0f,
                left > 2 ? Unsafe.Add(ref x, c + 2) : 0f, 0f);
            (s1, t1) = Group(ref v, ref meta, Vector256.Create(last), g, shifts, s1, t1);
        }
        Vector256<float> sums = (s0 + t0) + (s1 + t1);
        for (int r = 0; r < 8; r++)
            a.Store(b, j + r, sums.GetElement(r));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector256<float>, Vector256<float>) Group(ref float v, ref byte meta, Vector256<float> x4, nuint g,
        Vector256<uint> shifts, Vector256<float> s, Vector256<float> t)
    {
        Vector256<uint> first = Avx2.ShiftRightLogicalVariable(Vector256.Create(Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref meta, 4 * g))), shifts);
        Vector256<uint> second = Avx2.ShiftRightLogical(first, 2);
        s = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref v, 16 * g), Avx.PermuteVar(x4, first.AsInt32()), s);
        t = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref v, 16 * g + 8), Avx.PermuteVar(x4, second.AsInt32()), t);
        return (s, t);
    }
}
