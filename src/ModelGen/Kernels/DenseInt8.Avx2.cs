using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ModelGen.Kernels;

/// <summary>
/// x64 AVX2 int8 kernels over quantized x, 32 bytes per step. VPMADDUBSW multiplies unsigned by signed bytes, so
/// the weight's sign is moved onto x (VPSIGNB) and |w| is the unsigned operand: |w| &lt;= 128 and |x| &lt;= 127 keep
/// each pair sum within 32512, so the int16 saturation never triggers, for every sbyte weight including -128.
/// VPMADDWD by ones then widens to int32. Same blocking as <see cref="DenseFloatAvx2"/>.
/// </summary>
internal static class DenseInt8Avx2
{
    private const int Width = 32;

    public static void Run(in Int8Dense a)
    {
        if (a.K < Width)
        {
            DenseInt8Scalar.Run(in a);
            return;
        }
        int j = 0;
        for (; j <= a.N - 4; j += 4)
        {
            int b = 0;
            for (; b <= a.Batch - 4; b += 4)
            {
                Tile2x4(in a, j, b);
                Tile2x4(in a, j + 2, b);
            }
            for (; b < a.Batch; b++)
                Rows4(in a, j, b);
        }
        for (; j < a.N; j++)
            for (int b = 0; b < a.Batch; b++)
                Row1(in a, j, b);
    }

    /// <summary>acc + the 32 products w * x, as 8 int32 partial sums.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Accumulate(Vector256<int> acc, Vector256<byte> wAbs, Vector256<sbyte> w, Vector256<sbyte> x) =>
        Avx2.Add(acc, Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(wAbs, Avx2.Sign(x, w)), Vector256<short>.One));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Accumulate(Vector256<int> acc, Vector256<sbyte> w, Vector256<sbyte> x) =>
        Accumulate(acc, Avx2.Abs(w), w, x);

    /// <summary>GEMV step: 4 W rows against one x row.</summary>
    private static unsafe void Rows4(in Int8Dense a, int j, int b)
    {
        nuint k = (nuint)a.K;
        ref sbyte x = ref a.XRow(b);
        ref sbyte w0 = ref a.WRow(j);
        ref sbyte w1 = ref Unsafe.Add(ref w0, k);
        ref sbyte w2 = ref Unsafe.Add(ref w1, k);
        ref sbyte w3 = ref Unsafe.Add(ref w2, k);
        // int8 rows are short (4 KB for k = 4096), so each block is only a few pages: without help this loop reached
        // ~80% of a plain streaming read (measured). Prefetching the rows two blocks ahead (j + 8 .. j + 11) at the
        // same offset brings it to ~90%. Only a hint: addresses past W, or made stale by a GC move, cost nothing, and
        // no GC-tracked ref is formed past the array.
        sbyte* ahead = (sbyte*)Unsafe.AsPointer(ref w3) + 5 * k;
        Vector256<int> s0 = default, s1 = default, s2 = default, s3 = default;
        nuint i = 0;
        for (; i + 2 * Width <= k; i += 2 * Width)
        {
            Sse.Prefetch0(ahead + i);
            Sse.Prefetch0(ahead + k + i);
            Sse.Prefetch0(ahead + 2 * k + i);
            Sse.Prefetch0(ahead + 3 * k + i);
            Vector256<sbyte> xv = Vector256.LoadUnsafe(ref x, i);
            s0 = Accumulate(s0, Vector256.LoadUnsafe(ref w0, i), xv);
            s1 = Accumulate(s1, Vector256.LoadUnsafe(ref w1, i), xv);
            s2 = Accumulate(s2, Vector256.LoadUnsafe(ref w2, i), xv);
            s3 = Accumulate(s3, Vector256.LoadUnsafe(ref w3, i), xv);
            xv = Vector256.LoadUnsafe(ref x, i + Width);
            s0 = Accumulate(s0, Vector256.LoadUnsafe(ref w0, i + Width), xv);
            s1 = Accumulate(s1, Vector256.LoadUnsafe(ref w1, i + Width), xv);
            s2 = Accumulate(s2, Vector256.LoadUnsafe(ref w2, i + Width), xv);
            s3 = Accumulate(s3, Vector256.LoadUnsafe(ref w3, i + Width), xv);
        }
        if (i + Width <= k)
        {
            Vector256<sbyte> xv = Vector256.LoadUnsafe(ref x, i);
            s0 = Accumulate(s0, Vector256.LoadUnsafe(ref w0, i), xv);
            s1 = Accumulate(s1, Vector256.LoadUnsafe(ref w1, i), xv);
            s2 = Accumulate(s2, Vector256.LoadUnsafe(ref w2, i), xv);
            s3 = Accumulate(s3, Vector256.LoadUnsafe(ref w3, i), xv);
            i += Width;
        }
        if (i < k)
        {
            // Zeroing x's already-summed lanes zeroes their products.
            Vector256<sbyte> m = TailMask.Int8x256(k - i);
            i = k - Width;
            Vector256<sbyte> xv = Vector256.LoadUnsafe(ref x, i) & m;
            s0 = Accumulate(s0, Vector256.LoadUnsafe(ref w0, i), xv);
            s1 = Accumulate(s1, Vector256.LoadUnsafe(ref w1, i), xv);
            s2 = Accumulate(s2, Vector256.LoadUnsafe(ref w2, i), xv);
            s3 = Accumulate(s3, Vector256.LoadUnsafe(ref w3, i), xv);
        }
        a.Store(b, j, Vector256.Sum(s0));
        a.Store(b, j + 1, Vector256.Sum(s1));
        a.Store(b, j + 2, Vector256.Sum(s2));
        a.Store(b, j + 3, Vector256.Sum(s3));
    }

    /// <summary>Register tile: 2 W rows x 4 x rows; |w| is computed once per weight vector and used 4 times.</summary>
    private static void Tile2x4(in Int8Dense a, int j, int b)
    {
        nuint k = (nuint)a.K;
        ref sbyte w0 = ref a.WRow(j);
        ref sbyte w1 = ref Unsafe.Add(ref w0, k);
        ref sbyte x0 = ref a.XRow(b);
        ref sbyte x1 = ref Unsafe.Add(ref x0, k);
        ref sbyte x2 = ref Unsafe.Add(ref x1, k);
        ref sbyte x3 = ref Unsafe.Add(ref x2, k);
        Vector256<int> c00 = default, c01 = default, c02 = default, c03 = default;
        Vector256<int> c10 = default, c11 = default, c12 = default, c13 = default;
        nuint i = 0;
        for (; i + Width <= k; i += Width)
        {
            Vector256<sbyte> wa = Vector256.LoadUnsafe(ref w0, i), wb = Vector256.LoadUnsafe(ref w1, i);
            Vector256<byte> ua = Avx2.Abs(wa), ub = Avx2.Abs(wb);
            Vector256<sbyte> xv = Vector256.LoadUnsafe(ref x0, i);
            c00 = Accumulate(c00, ua, wa, xv);
            c10 = Accumulate(c10, ub, wb, xv);
            xv = Vector256.LoadUnsafe(ref x1, i);
            c01 = Accumulate(c01, ua, wa, xv);
            c11 = Accumulate(c11, ub, wb, xv);
            xv = Vector256.LoadUnsafe(ref x2, i);
            c02 = Accumulate(c02, ua, wa, xv);
            c12 = Accumulate(c12, ub, wb, xv);
            xv = Vector256.LoadUnsafe(ref x3, i);
            c03 = Accumulate(c03, ua, wa, xv);
            c13 = Accumulate(c13, ub, wb, xv);
        }
        if (i < k)
        {
            Vector256<sbyte> m = TailMask.Int8x256(k - i);
            i = k - Width;
            Vector256<sbyte> wa = Vector256.LoadUnsafe(ref w0, i), wb = Vector256.LoadUnsafe(ref w1, i);
            Vector256<byte> ua = Avx2.Abs(wa), ub = Avx2.Abs(wb);
            Vector256<sbyte> xv = Vector256.LoadUnsafe(ref x0, i) & m;
            c00 = Accumulate(c00, ua, wa, xv);
            c10 = Accumulate(c10, ub, wb, xv);
            xv = Vector256.LoadUnsafe(ref x1, i) & m;
            c01 = Accumulate(c01, ua, wa, xv);
            c11 = Accumulate(c11, ub, wb, xv);
            xv = Vector256.LoadUnsafe(ref x2, i) & m;
            c02 = Accumulate(c02, ua, wa, xv);
            c12 = Accumulate(c12, ub, wb, xv);
            xv = Vector256.LoadUnsafe(ref x3, i) & m;
            c03 = Accumulate(c03, ua, wa, xv);
            c13 = Accumulate(c13, ub, wb, xv);
        }
        a.Store(b, j, Vector256.Sum(c00));
        a.Store(b + 1, j, Vector256.Sum(c01));
        a.Store(b + 2, j, Vector256.Sum(c02));
        a.Store(b + 3, j, Vector256.Sum(c03));
        a.Store(b, j + 1, Vector256.Sum(c10));
        a.Store(b + 1, j + 1, Vector256.Sum(c11));
        a.Store(b + 2, j + 1, Vector256.Sum(c12));
        a.Store(b + 3, j + 1, Vector256.Sum(c13));
    }

    /// <summary>One W row against one x row (the last n mod 4 rows).</summary>
    private static void Row1(in Int8Dense a, int j, int b)
    {
        nuint k = (nuint)a.K;
        ref sbyte x = ref a.XRow(b);
        ref sbyte w = ref a.WRow(j);
        Vector256<int> s = default;
        nuint i = 0;
        for (; i + Width <= k; i += Width)
            s = Accumulate(s, Vector256.LoadUnsafe(ref w, i), Vector256.LoadUnsafe(ref x, i));
        if (i < k)
        {
            Vector256<sbyte> m = TailMask.Int8x256(k - i);
            i = k - Width;
            s = Accumulate(s, Vector256.LoadUnsafe(ref w, i), Vector256.LoadUnsafe(ref x, i) & m);
        }
        a.Store(b, j, Vector256.Sum(s));
    }
}
