using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ModelGen.Kernels;

/// <summary>
/// x64 AVX2 int8 2:4 kernel. Per step of 64 columns (16 groups, 32 values) one broadcast of the step's 8 meta bytes,
/// one VPSRLVQ by 0, 2, 4, 6, a mask and an add turn the 2-bit positions (<see cref="SparseLayout.Int8Position24"/>)
/// into 32 byte-shuffle controls; two VPSHUFB and a dword blend gather the 32 x bytes the values meet, and one
/// multiply step (<see cref="IInt8Product256"/>) adds their products. x is first reordered per 64 columns
/// (<see cref="QuarterSwap64"/>) so that the values load in their stored order. Integer sums: the scalar path's dot
/// products exactly.
/// </summary>
/// <remarks>
/// Batch 1 takes 4 far-apart rows per pass, sharing the x loads (8 streams from memory, as the dense GEMV reads W).
/// Measured on 4096 x 4096 from memory (bench <c>sparse-only</c>, alternating rounds with the dense int8 GEMV): the
/// previous 128-bit kernel with a table lookup per meta byte ran 1,292 us against 598 us dense (0.46x); this one
/// 1.07-1.36x the dense kernel over ten runs (e.g. 553 us against 628 us), the ratio following the memory bandwidth
/// of the moment. It spends 12 vector instructions per 64 columns for signed x (10 for x &gt;= 0), against the dense
/// kernel's 10 (6) per 64 weights, so it wins only where the dense kernel waits on memory: cache-resident (784 x 256)
/// it is 0.38x.
/// </remarks>
internal static class SparseInt8Avx2
{
    /// <summary>Rows per pass.</summary>
    private const int Rows = 4;

    public static void TwoOfFour(in SparseDense<sbyte, sbyte> a)
    {
        int span = a.N / Rows;
        for (int b = 0; b < a.Batch; b++)
        {
            ref sbyte x = ref a.XRow(b);
            bool nonNegative = a.K >= 32 && DenseInt8Avx2.IsNonNegative(ref x, (nuint)a.K);
            QuarterSwap64.Apply(ref x, a.K);
            for (int t = 0; t < span; t++)
            {
                if (nonNegative) TwoOfFourRows<NonNegativeX256>(in a, ref x, b, t, span);
                else TwoOfFourRows<SignedX256>(in a, ref x, b, t, span);
            }
            for (int j = Rows * span; j < a.N; j++)
                a.Store(b, j, nonNegative ? TwoOfFourRow<NonNegativeX256>(in a, ref x, j) : TwoOfFourRow<SignedX256>(in a, ref x, j));
            // The reorder is its own inverse: xq is left as quantized.
            QuarterSwap64.Apply(ref x, a.K);
        }
    }

    /// <summary>Rows j, j + span, j + 2 span, j + 3 span against x row b (in step order); writes their outputs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TwoOfFourRows<TP>(in SparseDense<sbyte, sbyte> a, ref sbyte x, int b, int j, int span)
        where TP : struct, IInt8Product256
    {
        ref byte m0 = ref a.StructureRow(j), m1 = ref a.StructureRow(j + span);
        ref byte m2 = ref a.StructureRow(j + 2 * span), m3 = ref a.StructureRow(j + 3 * span);
        ref sbyte v0 = ref Unsafe.Add(ref a.Values, a.RowStart(j)), v1 = ref Unsafe.Add(ref a.Values, a.RowStart(j + span));
        ref sbyte v2 = ref Unsafe.Add(ref a.Values, a.RowStart(j + 2 * span)), v3 = ref Unsafe.Add(ref a.Values, a.RowStart(j + 3 * span));
        Vector256<int> s0 = default, s1 = default, s2 = default, s3 = default;
        nuint c = 0, k = (nuint)a.K;
        for (; c + 64 <= k; c += 64)
        {
            Vector256<byte> l0 = Vector256.LoadUnsafe(ref x, c).AsByte(), l1 = Vector256.LoadUnsafe(ref x, c + 32).AsByte();
            s0 = Step<TP>(l0, l1, ref v0, ref m0, c, s0);
            s1 = Step<TP>(l0, l1, ref v1, ref m1, c, s1);
            s2 = Step<TP>(l0, l1, ref v2, ref m2, c, s2);
            s3 = Step<TP>(l0, l1, ref v3, ref m3, c, s3);
        }
        // The rest of the groups (columns past the whole steps, still in natural order) by the scalar code.
        int g = (int)c >> 2;
        a.Store(b, j, SparseScalar.TwoOfFourInt8From(in a, ref x, j, g, Vector256.Sum(s0)));
        a.Store(b, j + span, SparseScalar.TwoOfFourInt8From(in a, ref x, j + span, g, Vector256.Sum(s1)));
        a.Store(b, j + 2 * span, SparseScalar.TwoOfFourInt8From(in a, ref x, j + 2 * span, g, Vector256.Sum(s2)));
        a.Store(b, j + 3 * span, SparseScalar.TwoOfFourInt8From(in a, ref x, j + 3 * span, g, Vector256.Sum(s3)));
    }

    /// <summary>One row against an x row in step order: the n % 4 rows <see cref="TwoOfFourRows"/> leaves.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int TwoOfFourRow<TP>(in SparseDense<sbyte, sbyte> a, ref sbyte x, int j) where TP : struct, IInt8Product256
    {
        ref byte m = ref a.StructureRow(j);
        ref sbyte v = ref Unsafe.Add(ref a.Values, a.RowStart(j));
        Vector256<int> s = default;
        nuint c = 0, k = (nuint)a.K;
        for (; c + 64 <= k; c += 64)
            s = Step<TP>(Vector256.LoadUnsafe(ref x, c).AsByte(), Vector256.LoadUnsafe(ref x, c + 32).AsByte(), ref v, ref m, c, s);
        return SparseScalar.TwoOfFourInt8From(in a, ref x, j, (int)c >> 2, Vector256.Sum(s));
    }

    /// <summary>One row's step at column c: x bytes <paramref name="l0"/>, <paramref name="l1"/> (step order) picked by its positions, times its 32 values.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Step<TP>(Vector256<byte> l0, Vector256<byte> l1, ref sbyte v, ref byte meta, nuint c, Vector256<int> s)
        where TP : struct, IInt8Product256
    {
        Vector256<ulong> m = Vector256.Create(Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref meta, c >> 3)));
        // Qword q holds the positions of values 8q .. 8q + 7; each value's group starts 4 (value % 8 / 2) columns
        // into its 16-column table (PSHUFB reads the low 4 bits).
        Vector256<byte> index = (Avx2.ShiftRightLogicalVariable(m, Vector256.Create(0ul, 2, 4, 6)).AsByte() & Vector256.Create((byte)3))
            + Vector256.Create((byte)0, 0, 4, 4, 8, 8, 12, 12, 0, 0, 4, 4, 8, 8, 12, 12, 0, 0, 4, 4, 8, 8, 12, 12, 0, 0, 4, 4, 8, 8, 12, 12);
        // Bytes 0-7 of each lane from the first table, 8-15 from the second.
        Vector256<sbyte> xs = Avx2.Blend(Avx2.Shuffle(l0, index).AsInt32(), Avx2.Shuffle(l1, index).AsInt32(), 0b1100_1100).AsSByte();
        return TP.Accumulate(s, Vector256.LoadUnsafe(ref v, c >> 1), xs);
    }
}
