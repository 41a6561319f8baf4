using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ModelGen.Kernels;

/// <summary>
/// x64 AVX2 int8 kernels over quantized x, 32 bytes per step, specialized per x row on the multiply step (see
/// <see cref="IInt8Product256"/>): rows with no negative value skip the sign transfer. Batch 1 runs 4 W rows per
/// pass over x (8 rows from 8 far-apart parts of W when W streams from memory); small batches a 4 x 2 register tile, large ones <see cref="DenseInt8PanelsAvx2"/> for whole panels
/// of 16 W rows. Kernels park their int32 dot products in y and one vector pass per row block dequantizes them.
/// Hot methods are compiled fully optimized on first call: inference must not wait for tiered compilation.
/// </summary>
internal static class DenseInt8Avx2
{
    private const int Width = 32;

    /// <summary>Batch rows handled together: their non-negativity flags fit one ulong.</summary>
    private const int RowBlock = 64;

    /// <summary>
    /// Row blocks at least this tall take the packed-panel kernel (<see cref="DenseInt8PanelsAvx2"/>): its repack is
    /// paid once per block, so it wins at 64 rows (784 x 256: 175 -> 164 us) and breaks even at 32.
    /// </summary>
    private const int MinPanelRows = 48;

    /// <summary>
    /// Above this many weight bytes W does not stay in the core's L2 (512 KiB on the Zen 3 this was tuned on) between
    /// calls, so the GEMV streams it from L3 or memory and prefetching helps: 784 x 1024 from L3 18 -> 14 us, 4096 x
    /// 4096 from memory ~80% -> ~90% of a streaming read. An L2-resident W would only pay for the instructions.
    /// </summary>
    private const long PrefetchAboveBytes = 512 * 1024;

    /// <summary>W rows per pass of <see cref="Strided8"/>: one stream each, as many as the streaming-read yardstick.</summary>
    private const int StridedRows = 8;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(in Int8Dense a)
    {
        if (a.K < Width)
        {
            DenseInt8Scalar.Run(in a);
            return;
        }
        bool prefetch = (long)a.N * a.K > PrefetchAboveBytes;
        for (int b0 = 0; b0 < a.Batch; b0 += RowBlock)
        {
            int rows = Math.Min(RowBlock, a.Batch - b0);
            ulong nonNegative = 0;
            for (int r = 0; r < rows; r++)
                if (IsNonNegative(ref a.XRow(b0 + r), (nuint)a.K))
                    nonNegative |= 1UL << r;
            int groups = rows >= MinPanelRows ? rows / DenseInt8PanelsAvx2.Rows : 0;
            int panels = groups > 0 ? a.N / DenseInt8PanelsAvx2.Columns : 0;
            int grouped = panels > 0 ? groups * DenseInt8PanelsAvx2.Rows : 0;
            if (panels > 0)
                DenseInt8PanelsAvx2.Run(in a, b0, groups, nonNegative, panels);
            RunRows(in a, b0, grouped, nonNegative, prefetch, panels * DenseInt8PanelsAvx2.Columns);
            RunRows(in a, b0 + grouped, rows - grouped, nonNegative >> grouped, prefetch, 0);
            Finish(in a, b0, rows);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RunRows(in Int8Dense a, int b0, int rows, ulong nonNegative, bool prefetch, int j0)
    {
        int j = j0;
        if (prefetch && rows == 1)
        {
            bool free = (nonNegative & 1) != 0;
            int span = (a.N - j) / StridedRows;
            for (int t = 0; t < span; t++)
            {
                if (free) Strided8<NonNegativeX256>(in a, j + t, b0, span);
                else Strided8<SignedX256>(in a, j + t, b0, span);
            }
            j += StridedRows * span;
        }
        for (; j <= a.N - 4; j += 4)
        {
            // 4 W rows stay in L1 while every x row of the block passes over them.
            int r = 0;
            for (; r <= rows - 2; r += 2)
            {
                if (((nonNegative >> r) & 3) == 3)
                    Tile4x2<NonNegativeX256>(in a, j, b0 + r);
                else
                    Tile4x2<SignedX256>(in a, j, b0 + r);
            }
            for (; r < rows; r++)
            {
                bool free = ((nonNegative >> r) & 1) != 0;
                if (prefetch)
                {
                    if (free) Rows4<NonNegativeX256, Prefetch>(in a, j, b0 + r);
                    else Rows4<SignedX256, Prefetch>(in a, j, b0 + r);
                }
                else
                {
                    if (free) Rows4<NonNegativeX256, NoPrefetch>(in a, j, b0 + r);
                    else Rows4<SignedX256, NoPrefetch>(in a, j, b0 + r);
                }
            }
        }
        for (; j < a.N; j++)
            for (int r = 0; r < rows; r++)
            {
                if (((nonNegative >> r) & 1) != 0)
                    Row1<NonNegativeX256>(in a, j, b0 + r);
                else
                    Row1<SignedX256>(in a, j, b0 + r);
            }
    }

    /// <summary>Whether quantized x row has no negative value (k &gt;= 32; the last vector may overlap).</summary>
    internal static bool IsNonNegative(ref sbyte x, nuint k)
    {
        Vector256<sbyte> any = Vector256.LoadUnsafe(ref x, k - Width);
        for (nuint i = 0; i + Width <= k; i += Width)
            any |= Vector256.LoadUnsafe(ref x, i);
        return any.ExtractMostSignificantBits() == 0;
    }

    /// <summary>
    /// GEMV step from memory: W rows j, j + stride, .., j + 7 * stride against one x row. Successive calls walk 8
    /// sequential streams, each over its own part of W, which the hardware prefetchers follow across pages (4 adjacent
    /// 4 KB rows are 4 streams that end at each page and retrain: 4096 x 4096 ~850 -> ~670 us, software prefetch no
    /// longer helps). 8 accumulators, x, w and the step's temporaries fit the 16 ymm registers.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Strided8<TP>(in Int8Dense a, int j, int b, int stride) where TP : struct, IInt8Product256
    {
        nuint k = (nuint)a.K;
        nuint step = (nuint)stride * k;
        ref sbyte x = ref a.XRow(b);
        ref sbyte w0 = ref a.WRow(j);
        ref sbyte w1 = ref Unsafe.Add(ref w0, step);
        ref sbyte w2 = ref Unsafe.Add(ref w1, step);
        ref sbyte w3 = ref Unsafe.Add(ref w2, step);
        ref sbyte w4 = ref Unsafe.Add(ref w3, step);
        ref sbyte w5 = ref Unsafe.Add(ref w4, step);
        ref sbyte w6 = ref Unsafe.Add(ref w5, step);
        ref sbyte w7 = ref Unsafe.Add(ref w6, step);
        Vector256<int> s0 = default, s1 = default, s2 = default, s3 = default;
        Vector256<int> s4 = default, s5 = default, s6 = default, s7 = default;
        nuint i = 0;
        // Two steps per iteration: a whole cache line of every stream (~690 -> ~670 us).
        for (; i + 2 * Width <= k; i += 2 * Width)
        {
            Vector256<sbyte> xv = Vector256.LoadUnsafe(ref x, i);
            s0 = TP.Accumulate(s0, Vector256.LoadUnsafe(ref w0, i), xv);
            s1 = TP.Accumulate(s1, Vector256.LoadUnsafe(ref w1, i), xv);
            s2 = TP.Accumulate(s2, Vector256.LoadUnsafe(ref w2, i), xv);
            s3 = TP.Accumulate(s3, Vector256.LoadUnsafe(ref w3, i), xv);
            s4 = TP.Accumulate(s4, Vector256.LoadUnsafe(ref w4, i), xv);
            s5 = TP.Accumulate(s5, Vector256.LoadUnsafe(ref w5, i), xv);
            s6 = TP.Accumulate(s6, Vector256.LoadUnsafe(ref w6, i), xv);
            s7 = TP.Accumulate(s7, Vector256.LoadUnsafe(ref w7, i), xv);
            xv = Vector256.LoadUnsafe(ref x, i + Width);
            s0 = TP.Accumulate(s0, Vector256.LoadUnsafe(ref w0, i + Width), xv);
            s1 = TP.Accumulate(s1, Vector256.LoadUnsafe(ref w1, i + Width), xv);
            s2 = TP.Accumulate(s2, Vector256.LoadUnsafe(ref w2, i + Width), xv);
            s3 = TP.Accumulate(s3, Vector256.LoadUnsafe(ref w3, i + Width), xv);
            s4 = TP.Accumulate(s4, Vector256.LoadUnsafe(ref w4, i + Width), xv);
            s5 = TP.Accumulate(s5, Vector256.LoadUnsafe(ref w5, i + Width), xv);
            s6 = TP.Accumulate(s6, Vector256.LoadUnsafe(ref w6, i + Width), xv);
            s7 = TP.Accumulate(s7, Vector256.LoadUnsafe(ref w7, i + Width), xv);
        }
        while (i < k)
        {
            // At most one full step, then a masked overlapping one: zeroing x's already-summed lanes zeroes their products.
            Vector256<sbyte> m = i + Width <= k ? Vector256<sbyte>.AllBitsSet : TailMask.Int8x256(k - i);
            i = Math.Min(i, k - Width);
            Vector256<sbyte> xv = Vector256.LoadUnsafe(ref x, i) & m;
            s0 = TP.Accumulate(s0, Vector256.LoadUnsafe(ref w0, i), xv);
            s1 = TP.Accumulate(s1, Vector256.LoadUnsafe(ref w1, i), xv);
            s2 = TP.Accumulate(s2, Vector256.LoadUnsafe(ref w2, i), xv);
            s3 = TP.Accumulate(s3, Vector256.LoadUnsafe(ref w3, i), xv);
            s4 = TP.Accumulate(s4, Vector256.LoadUnsafe(ref w4, i), xv);
            s5 = TP.Accumulate(s5, Vector256.LoadUnsafe(ref w5, i), xv);
            s6 = TP.Accumulate(s6, Vector256.LoadUnsafe(ref w6, i), xv);
            s7 = TP.Accumulate(s7, Vector256.LoadUnsafe(ref w7, i), xv);
            i += Width;
        }
        StoreStridedDots(in a, b, j, stride, Sum4(s0, s1, s2, s3));
        StoreStridedDots(in a, b, j + 4 * stride, stride, Sum4(s4, s5, s6, s7));
    }

    /// <summary>GEMV step: 4 W rows against one x row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Rows4<TP, TF>(in Int8Dense a, int j, int b)
        where TP : struct, IInt8Product256 where TF : struct, IPrefetchFlag
    {
        nuint k = (nuint)a.K;
        ref sbyte x = ref a.XRow(b);
        ref sbyte w0 = ref a.WRow(j);
        ref sbyte w1 = ref Unsafe.Add(ref w0, k);
        ref sbyte w2 = ref Unsafe.Add(ref w1, k);
        ref sbyte w3 = ref Unsafe.Add(ref w2, k);
        // int8 rows are short (4 KB for k = 4096), so each block of 4 is only a few pages and the hardware
        // prefetcher falls behind: prefetch the rows two blocks ahead (j + 8 .. j + 11) at the same offset. Only a
        // hint: addresses past W, or made stale by a GC move, cost nothing, and no GC-tracked ref is formed past W.
        sbyte* ahead = (sbyte*)Unsafe.AsPointer(ref w3) + 5 * k;
        Vector256<int> s0 = default, s1 = default, s2 = default, s3 = default;
        nuint i = 0;
        for (; i + 2 * Width <= k; i += 2 * Width)
        {
            if (TF.Enabled)
            {
                Sse.Prefetch0(ahead + i);
                Sse.Prefetch0(ahead + k + i);
                Sse.Prefetch0(ahead + 2 * k + i);
                Sse.Prefetch0(ahead + 3 * k + i);
            }
            Vector256<sbyte> xv = Vector256.LoadUnsafe(ref x, i);
            s0 = TP.Accumulate(s0, Vector256.LoadUnsafe(ref w0, i), xv);
            s1 = TP.Accumulate(s1, Vector256.LoadUnsafe(ref w1, i), xv);
            s2 = TP.Accumulate(s2, Vector256.LoadUnsafe(ref w2, i), xv);
            s3 = TP.Accumulate(s3, Vector256.LoadUnsafe(ref w3, i), xv);
            xv = Vector256.LoadUnsafe(ref x, i + Width);
            s0 = TP.Accumulate(s0, Vector256.LoadUnsafe(ref w0, i + Width), xv);
            s1 = TP.Accumulate(s1, Vector256.LoadUnsafe(ref w1, i + Width), xv);
            s2 = TP.Accumulate(s2, Vector256.LoadUnsafe(ref w2, i + Width), xv);
            s3 = TP.Accumulate(s3, Vector256.LoadUnsafe(ref w3, i + Width), xv);
        }
        if (i + Width <= k)
        {
            Vector256<sbyte> xv = Vector256.LoadUnsafe(ref x, i);
            s0 = TP.Accumulate(s0, Vector256.LoadUnsafe(ref w0, i), xv);
            s1 = TP.Accumulate(s1, Vector256.LoadUnsafe(ref w1, i), xv);
            s2 = TP.Accumulate(s2, Vector256.LoadUnsafe(ref w2, i), xv);
            s3 = TP.Accumulate(s3, Vector256.LoadUnsafe(ref w3, i), xv);
            i += Width;
        }
        if (i < k)
        {
            // Zeroing x's already-summed lanes zeroes their products.
            Vector256<sbyte> m = TailMask.Int8x256(k - i);
            i = k - Width;
            Vector256<sbyte> xv = Vector256.LoadUnsafe(ref x, i) & m;
            s0 = TP.Accumulate(s0, Vector256.LoadUnsafe(ref w0, i), xv);
            s1 = TP.Accumulate(s1, Vector256.LoadUnsafe(ref w1, i), xv);
            s2 = TP.Accumulate(s2, Vector256.LoadUnsafe(ref w2, i), xv);
            s3 = TP.Accumulate(s3, Vector256.LoadUnsafe(ref w3, i), xv);
        }
        StoreDots(in a, b, j, Sum4(s0, s1, s2, s3));
    }

    /// <summary>
    /// Register tile: 4 W rows x 2 x rows. 8 accumulators + 2 x vectors + the weight vector, the VPMADDWD ones and
    /// temporaries fit the 16 ymm registers without spills (a 4 x 3 tile needs 18 and spills every iteration).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile4x2<TP>(in Int8Dense a, int j, int b) where TP : struct, IInt8Product256
    {
        nuint k = (nuint)a.K;
        ref sbyte w0 = ref a.WRow(j);
        ref sbyte w1 = ref Unsafe.Add(ref w0, k);
        ref sbyte w2 = ref Unsafe.Add(ref w1, k);
        ref sbyte w3 = ref Unsafe.Add(ref w2, k);
        ref sbyte x0 = ref a.XRow(b);
        ref sbyte x1 = ref Unsafe.Add(ref x0, k);
        Vector256<int> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector256<int> c20 = default, c21 = default, c30 = default, c31 = default;
        nuint i = 0;
        for (; i + Width <= k; i += Width)
        {
            Vector256<sbyte> xa = Vector256.LoadUnsafe(ref x0, i);
            Vector256<sbyte> xb = Vector256.LoadUnsafe(ref x1, i);
            Vector256<sbyte> wv = Vector256.LoadUnsafe(ref w0, i);
            c00 = TP.Accumulate(c00, wv, xa);
            c01 = TP.Accumulate(c01, wv, xb);
            wv = Vector256.LoadUnsafe(ref w1, i);
            c10 = TP.Accumulate(c10, wv, xa);
            c11 = TP.Accumulate(c11, wv, xb);
            wv = Vector256.LoadUnsafe(ref w2, i);
            c20 = TP.Accumulate(c20, wv, xa);
            c21 = TP.Accumulate(c21, wv, xb);
            wv = Vector256.LoadUnsafe(ref w3, i);
            c30 = TP.Accumulate(c30, wv, xa);
            c31 = TP.Accumulate(c31, wv, xb);
        }
        if (i < k)
        {
            Vector256<sbyte> m = TailMask.Int8x256(k - i);
            i = k - Width;
            Vector256<sbyte> xa = Vector256.LoadUnsafe(ref x0, i) & m;
            Vector256<sbyte> xb = Vector256.LoadUnsafe(ref x1, i) & m;
            Vector256<sbyte> wv = Vector256.LoadUnsafe(ref w0, i);
            c00 = TP.Accumulate(c00, wv, xa);
            c01 = TP.Accumulate(c01, wv, xb);
            wv = Vector256.LoadUnsafe(ref w1, i);
            c10 = TP.Accumulate(c10, wv, xa);
            c11 = TP.Accumulate(c11, wv, xb);
            wv = Vector256.LoadUnsafe(ref w2, i);
            c20 = TP.Accumulate(c20, wv, xa);
            c21 = TP.Accumulate(c21, wv, xb);
            wv = Vector256.LoadUnsafe(ref w3, i);
            c30 = TP.Accumulate(c30, wv, xa);
            c31 = TP.Accumulate(c31, wv, xb);
        }
        StoreDots(in a, b, j, Sum4(c00, c10, c20, c30));
        StoreDots(in a, b + 1, j, Sum4(c01, c11, c21, c31));
    }

    /// <summary>One W row against one x row (the last n mod 4 rows).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Row1<TP>(in Int8Dense a, int j, int b) where TP : struct, IInt8Product256
    {
        nuint k = (nuint)a.K;
        ref sbyte x = ref a.XRow(b);
        ref sbyte w = ref a.WRow(j);
        Vector256<int> s = default;
        nuint i = 0;
        for (; i + Width <= k; i += Width)
            s = TP.Accumulate(s, Vector256.LoadUnsafe(ref w, i), Vector256.LoadUnsafe(ref x, i));
        if (i < k)
        {
            Vector256<sbyte> m = TailMask.Int8x256(k - i);
            i = k - Width;
            s = TP.Accumulate(s, Vector256.LoadUnsafe(ref w, i), Vector256.LoadUnsafe(ref x, i) & m);
        }
        a.YAt(b, j) = BitConverter.Int32BitsToSingle(Vector256.Sum(s));
    }

    /// <summary>Parks the int32 dot products for y[b, j .. j + 3] in y as bits, for <see cref="Finish"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreDots(in Int8Dense a, int b, int j, Vector128<int> dots) =>
        dots.AsSingle().StoreUnsafe(ref a.YAt(b, j));

    /// <summary>Parks the int32 dot products for y[b, j], y[b, j + stride], .. y[b, j + 3 * stride] (see <see cref="StoreDots"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreStridedDots(in Int8Dense a, int b, int j, int stride, Vector128<int> dots)
    {
        for (int r = 0; r < 4; r++)
            a.YAt(b, j + r * stride) = BitConverter.Int32BitsToSingle(dots.GetElement(r));
    }

    /// <summary>
    /// Turns the int32 dot products parked in y rows b0 .. b0 + rows - 1 into outputs, 8 at a time: one branch-free
    /// pass instead of a dequantization, bias and activation after every tile (~8% of the batch-64 time).
    /// The same IEEE operations as <see cref="Int8Dense.Store"/>, lane by lane, so outputs are bit-equal.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Finish(in Int8Dense a, int b0, int rows)
    {
        nuint n = (nuint)a.N;
        bool vector = a.Activation is Activation.None or Activation.Relu or Activation.Relu6;
        for (int b = b0; b < b0 + rows; b++)
        {
            ref float y = ref a.YAt(b, 0);
            float xScale = a.XScale(b);
            nuint j = 0;
            if (vector)
            {
                for (; j + 8 <= n; j += 8)
                {
                    Vector256<float> sum = Vector256.ConvertToSingle(Vector256.LoadUnsafe(ref y, j).AsInt32()) * xScale
                        * Vector256.LoadUnsafe(ref a.WScales, j);
                    if (a.HasBias) sum += Vector256.LoadUnsafe(ref a.Bias, j);
                    ActivationFunctions.Apply(sum, a.Activation).StoreUnsafe(ref y, j);
                }
            }
            for (; j < n; j++)
                a.Store(b, (int)j, BitConverter.SingleToInt32Bits(Unsafe.Add(ref y, j)));
        }
    }

    /// <summary>The totals of 4 accumulators, in order: two rounds of VPHADDD, then the 128-bit halves added.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<int> Sum4(Vector256<int> s0, Vector256<int> s1, Vector256<int> s2, Vector256<int> s3)
    {
        Vector256<int> h = Avx2.HorizontalAdd(Avx2.HorizontalAdd(s0, s1), Avx2.HorizontalAdd(s2, s3));
        return h.GetLower() + h.GetUpper();
    }
}
