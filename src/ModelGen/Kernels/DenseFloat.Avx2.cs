using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ModelGen.Kernels;

/// <summary>
/// x64 AVX2 + FMA float kernels, generic over the weight format (fp16 and bf16 are widened in registers).
/// Batch 1 (GEMV) is bound by memory bandwidth: W is streamed once, 4 rows at a time with 8 independent
/// accumulators; a W larger than L2 as 4 sequential streams over the 4 quarters of W, which the hardware prefetchers
/// follow better than 4 adjacent rows. Larger batches are compute bound: a 4 x 3 register tile (2 x 4 for fp16, whose
/// conversion needs registers of its own) reuses each loaded weight vector for several x rows, and each block of 4 W rows stays in
/// cache while all x rows pass over it.
/// Rows shorter than a vector go to the scalar kernel; a partial last vector is handled by <see cref="TailMask"/>.
/// The kernels are compiled fully optimized on first call: inference must not wait for tiered compilation.
/// </summary>
internal static class DenseFloatAvx2
{
    private const int Width = 8;

    /// <summary>
    /// Above this many weight bytes W streams from main memory, where reading it as far-apart streams keeps the hardware
    /// prefetchers busy. Between L2 (512 KiB) and this size W comes from L3, where adjacent rows were faster (measured
    /// on the 784x256 fp32 layer: 11.6 us adjacent vs 13.5 us strided).
    /// </summary>
    private const long StridedAboveBytes = 4 * 1024 * 1024;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run<TW, TF>(in FloatDense<TW> a)
        where TW : unmanaged where TF : struct, IWeightFormat<TW>
    {
        if (a.K < Width)
        {
            DenseFloatScalar.Run<TW, TF>(in a);
            return;
        }
        int j = 0;
        if (a.Batch == 1 && (long)a.N * a.K * Unsafe.SizeOf<TW>() > StridedAboveBytes)
        {
            // Rows t, t + span, t + 2 span, t + 3 span: 4096 x 4096 fp32 ~2650 -> ~2450 us.
            int span = a.N / 4;
            for (; j < span; j++)
                Rows4<TW, TF>(in a, j, 0, span);
            j = 4 * span;
        }
        for (; j <= a.N - 4; j += 4)
        {
            // A block of 4 W rows stays in L1/L2 while every x row passes over it: W is read from memory once.
            int b = 0;
            if (TF.HeavyConversion)
            {
                for (; b <= a.Batch - 4; b += 4)
                {
                    Tile2x4<TW, TF>(in a, j, b);
                    Tile2x4<TW, TF>(in a, j + 2, b);
                }
            }
            else
            {
                for (; b <= a.Batch - 3; b += 3)
                    Tile4x3<TW, TF>(in a, j, b);
            }
            for (; b < a.Batch; b++)
                Rows4<TW, TF>(in a, j, b, 1);
        }
        for (; j < a.N; j++)
            for (int b = 0; b < a.Batch; b++)
                Row1<TW, TF>(in a, j, b);
    }

    /// <summary>
    /// GEMV step: W rows j, j + stride, j + 2 stride, j + 3 stride against one x row, two accumulators per row to hide
    /// the FMA latency.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Rows4<TW, TF>(in FloatDense<TW> a, int j, int b, int stride)
        where TW : unmanaged where TF : struct, IWeightFormat<TW>
    {
        nuint k = (nuint)a.K;
        nuint step = (nuint)stride * k;
        ref float x = ref a.XRow(b);
        ref TW w0 = ref a.WRow(j);
        ref TW w1 = ref Unsafe.Add(ref w0, step);
        ref TW w2 = ref Unsafe.Add(ref w1, step);
        ref TW w3 = ref Unsafe.Add(ref w2, step);
        Vector256<float> s0 = default, s1 = default, s2 = default, s3 = default;
        Vector256<float> t0 = default, t1 = default, t2 = default, t3 = default;
        nuint i = 0;
        for (; i + 2 * Width <= k; i += 2 * Width)
        {
            Vector256<float> xa = Vector256.LoadUnsafe(ref x, i), xb = Vector256.LoadUnsafe(ref x, i + Width);
            s0 = MultiplyAdd(s0, TF.Load8(ref Unsafe.Add(ref w0, i)), xa);
            s1 = MultiplyAdd(s1, TF.Load8(ref Unsafe.Add(ref w1, i)), xa);
            s2 = MultiplyAdd(s2, TF.Load8(ref Unsafe.Add(ref w2, i)), xa);
            s3 = MultiplyAdd(s3, TF.Load8(ref Unsafe.Add(ref w3, i)), xa);
            t0 = MultiplyAdd(t0, TF.Load8(ref Unsafe.Add(ref w0, i + Width)), xb);
            t1 = MultiplyAdd(t1, TF.Load8(ref Unsafe.Add(ref w1, i + Width)), xb);
            t2 = MultiplyAdd(t2, TF.Load8(ref Unsafe.Add(ref w2, i + Width)), xb);
            t3 = MultiplyAdd(t3, TF.Load8(ref Unsafe.Add(ref w3, i + Width)), xb);
        }
        if (i + Width <= k)
        {
            Vector256<float> xa = Vector256.LoadUnsafe(ref x, i);
            s0 = MultiplyAdd(s0, TF.Load8(ref Unsafe.Add(ref w0, i)), xa);
            s1 = MultiplyAdd(s1, TF.Load8(ref Unsafe.Add(ref w1, i)), xa);
            s2 = MultiplyAdd(s2, TF.Load8(ref Unsafe.Add(ref w2, i)), xa);
            s3 = MultiplyAdd(s3, TF.Load8(ref Unsafe.Add(ref w3, i)), xa);
            i += Width;
        }
        if (i < k)
        {
            Vector256<float> m = TailMask.Float256(k - i);
            i = k - Width;
            Vector256<float> xa = Vector256.LoadUnsafe(ref x, i) & m;
            t0 = MultiplyAdd(t0, TF.Load8(ref Unsafe.Add(ref w0, i)) & m, xa);
            t1 = MultiplyAdd(t1, TF.Load8(ref Unsafe.Add(ref w1, i)) & m, xa);
            t2 = MultiplyAdd(t2, TF.Load8(ref Unsafe.Add(ref w2, i)) & m, xa);
            t3 = MultiplyAdd(t3, TF.Load8(ref Unsafe.Add(ref w3, i)) & m, xa);
        }
        Vector128<float> sums = Sum4(s0 + t0, s1 + t1, s2 + t2, s3 + t3);
        if (stride == 1)
            Store4(in a, b, j, sums);
        else
            for (int l = 0; l < 4; l++)
                a.Store(b, j + l * stride, sums[l]);
    }

    /// <summary>
    /// Register tile: 4 W rows x 3 x rows, 12 accumulators + 3 x vectors + 1 weight vector = the 16 ymm registers.
    /// Each loaded (and converted) weight vector serves 3 x rows and each x vector 4 W rows.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile4x3<TW, TF>(in FloatDense<TW> a, int j, int b)
        where TW : unmanaged where TF : struct, IWeightFormat<TW>
    {
        nuint k = (nuint)a.K;
        ref TW w0 = ref a.WRow(j);
        ref TW w1 = ref Unsafe.Add(ref w0, k);
        ref TW w2 = ref Unsafe.Add(ref w1, k);
        ref TW w3 = ref Unsafe.Add(ref w2, k);
        ref float x0 = ref a.XRow(b);
        ref float x1 = ref Unsafe.Add(ref x0, k);
        ref float x2 = ref Unsafe.Add(ref x1, k);
        Vector256<float> c00 = default, c01 = default, c02 = default, c10 = default, c11 = default, c12 = default;
        Vector256<float> c20 = default, c21 = default, c22 = default, c30 = default, c31 = default, c32 = default;
        nuint i = 0;
        for (; i + Width <= k; i += Width)
        {
            Vector256<float> xa = Vector256.LoadUnsafe(ref x0, i);
            Vector256<float> xb = Vector256.LoadUnsafe(ref x1, i);
            Vector256<float> xc = Vector256.LoadUnsafe(ref x2, i);
            Vector256<float> wv = TF.Load8(ref Unsafe.Add(ref w0, i));
            c00 = MultiplyAdd(c00, wv, xa);
            c01 = MultiplyAdd(c01, wv, xb);
            c02 = MultiplyAdd(c02, wv, xc);
            wv = TF.Load8(ref Unsafe.Add(ref w1, i));
            c10 = MultiplyAdd(c10, wv, xa);
            c11 = MultiplyAdd(c11, wv, xb);
            c12 = MultiplyAdd(c12, wv, xc);
            wv = TF.Load8(ref Unsafe.Add(ref w2, i));
            c20 = MultiplyAdd(c20, wv, xa);
            c21 = MultiplyAdd(c21, wv, xb);
            c22 = MultiplyAdd(c22, wv, xc);
            wv = TF.Load8(ref Unsafe.Add(ref w3, i));
            c30 = MultiplyAdd(c30, wv, xa);
            c31 = MultiplyAdd(c31, wv, xb);
            c32 = MultiplyAdd(c32, wv, xc);
        }
        if (i < k)
        {
            // Masking both operands keeps already-summed Inf/NaN lanes out (0 * Inf would add a NaN).
            Vector256<float> m = TailMask.Float256(k - i);
            i = k - Width;
            Vector256<float> xa = Vector256.LoadUnsafe(ref x0, i) & m;
            Vector256<float> xb = Vector256.LoadUnsafe(ref x1, i) & m;
            Vector256<float> xc = Vector256.LoadUnsafe(ref x2, i) & m;
            Vector256<float> wv = TF.Load8(ref Unsafe.Add(ref w0, i)) & m;
            c00 = MultiplyAdd(c00, wv, xa);
            c01 = MultiplyAdd(c01, wv, xb);
            c02 = MultiplyAdd(c02, wv, xc);
            wv = TF.Load8(ref Unsafe.Add(ref w1, i)) & m;
            c10 = MultiplyAdd(c10, wv, xa);
            c11 = MultiplyAdd(c11, wv, xb);
            c12 = MultiplyAdd(c12, wv, xc);
            wv = TF.Load8(ref Unsafe.Add(ref w2, i)) & m;
            c20 = MultiplyAdd(c20, wv, xa);
            c21 = MultiplyAdd(c21, wv, xb);
            c22 = MultiplyAdd(c22, wv, xc);
            wv = TF.Load8(ref Unsafe.Add(ref w3, i)) & m;
            c30 = MultiplyAdd(c30, wv, xa);
            c31 = MultiplyAdd(c31, wv, xb);
            c32 = MultiplyAdd(c32, wv, xc);
        }
        // All reductions before the stores, so no accumulator lives across a (cold) activation call.
        Vector128<float> d0 = Sum4(c00, c10, c20, c30), d1 = Sum4(c01, c11, c21, c31), d2 = Sum4(c02, c12, c22, c32);
        Store4(in a, b, j, d0);
        Store4(in a, b + 1, j, d1);
        Store4(in a, b + 2, j, d2);
    }

    /// <summary>The totals of 4 accumulators, in order: two rounds of VHADDPS, then the 128-bit halves added.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> Sum4(Vector256<float> s0, Vector256<float> s1, Vector256<float> s2, Vector256<float> s3)
    {
        Vector256<float> h = Avx.HorizontalAdd(Avx.HorizontalAdd(s0, s1), Avx.HorizontalAdd(s2, s3));
        return h.GetLower() + h.GetUpper();
    }

    /// <summary><see cref="FloatDense{TW}.Store"/> for y[b, j .. j + 3]: vector bias and ReLUs, the rest lane by lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store4<TW>(in FloatDense<TW> a, int b, int j, Vector128<float> sums) where TW : unmanaged
    {
        if (a.Activation is Activation.None or Activation.Relu or Activation.Relu6)
        {
            if (a.HasBias) sums += Vector128.LoadUnsafe(ref a.Bias, (nuint)j);
            ActivationFunctions.Apply(sums, a.Activation).StoreUnsafe(ref a.Y, (nuint)((nint)b * a.N + j));
        }
        else
            StoreLanes(in a, b, j, sums);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void StoreLanes<TW>(in FloatDense<TW> a, int b, int j, Vector128<float> sums) where TW : unmanaged
    {
        for (int l = 0; l < 4; l++)
            a.Store(b, j + l, sums[l]);
    }

    /// <summary>Register tile for fp16: 2 W rows x 4 x rows, leaving registers for the conversion's constants.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile2x4<TW, TF>(in FloatDense<TW> a, int j, int b)
        where TW : unmanaged where TF : struct, IWeightFormat<TW>
    {
        nuint k = (nuint)a.K;
        ref TW w0 = ref a.WRow(j);
        ref TW w1 = ref Unsafe.Add(ref w0, k);
        ref float x0 = ref a.XRow(b);
        ref float x1 = ref Unsafe.Add(ref x0, k);
        ref float x2 = ref Unsafe.Add(ref x1, k);
        ref float x3 = ref Unsafe.Add(ref x2, k);
        Vector256<float> c00 = default, c01 = default, c02 = default, c03 = default;
        Vector256<float> c10 = default, c11 = default, c12 = default, c13 = default;
        nuint i = 0;
        for (; i + Width <= k; i += Width)
        {
            Vector256<float> wa = TF.Load8(ref Unsafe.Add(ref w0, i)), wb = TF.Load8(ref Unsafe.Add(ref w1, i));
            Vector256<float> xv = Vector256.LoadUnsafe(ref x0, i);
            c00 = MultiplyAdd(c00, wa, xv);
            c10 = MultiplyAdd(c10, wb, xv);
            xv = Vector256.LoadUnsafe(ref x1, i);
            c01 = MultiplyAdd(c01, wa, xv);
            c11 = MultiplyAdd(c11, wb, xv);
            xv = Vector256.LoadUnsafe(ref x2, i);
            c02 = MultiplyAdd(c02, wa, xv);
            c12 = MultiplyAdd(c12, wb, xv);
            xv = Vector256.LoadUnsafe(ref x3, i);
            c03 = MultiplyAdd(c03, wa, xv);
            c13 = MultiplyAdd(c13, wb, xv);
        }
        if (i < k)
        {
            // Masking both operands keeps already-summed Inf/NaN lanes out (0 * Inf would add a NaN).
            Vector256<float> m = TailMask.Float256(k - i);
            i = k - Width;
            Vector256<float> wa = TF.Load8(ref Unsafe.Add(ref w0, i)) & m, wb = TF.Load8(ref Unsafe.Add(ref w1, i)) & m;
            Vector256<float> xv = Vector256.LoadUnsafe(ref x0, i) & m;
            c00 = MultiplyAdd(c00, wa, xv);
            c10 = MultiplyAdd(c10, wb, xv);
            xv = Vector256.LoadUnsafe(ref x1, i) & m;
            c01 = MultiplyAdd(c01, wa, xv);
            c11 = MultiplyAdd(c11, wb, xv);
            xv = Vector256.LoadUnsafe(ref x2, i) & m;
            c02 = MultiplyAdd(c02, wa, xv);
            c12 = MultiplyAdd(c12, wb, xv);
            xv = Vector256.LoadUnsafe(ref x3, i) & m;
            c03 = MultiplyAdd(c03, wa, xv);
            c13 = MultiplyAdd(c13, wb, xv);
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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Row1<TW, TF>(in FloatDense<TW> a, int j, int b)
        where TW : unmanaged where TF : struct, IWeightFormat<TW>
    {
        nuint k = (nuint)a.K;
        ref float x = ref a.XRow(b);
        ref TW w = ref a.WRow(j);
        Vector256<float> s = default, t = default;
        nuint i = 0;
        for (; i + 2 * Width <= k; i += 2 * Width)
        {
            s = MultiplyAdd(s, TF.Load8(ref Unsafe.Add(ref w, i)), Vector256.LoadUnsafe(ref x, i));
            t = MultiplyAdd(t, TF.Load8(ref Unsafe.Add(ref w, i + Width)), Vector256.LoadUnsafe(ref x, i + Width));
        }
        if (i + Width <= k)
        {
            s = MultiplyAdd(s, TF.Load8(ref Unsafe.Add(ref w, i)), Vector256.LoadUnsafe(ref x, i));
            i += Width;
        }
        if (i < k)
        {
            Vector256<float> m = TailMask.Float256(k - i);
            i = k - Width;
            t = MultiplyAdd(t, TF.Load8(ref Unsafe.Add(ref w, i)) & m, Vector256.LoadUnsafe(ref x, i) & m);
        }
        a.Store(b, j, Vector256.Sum(s + t));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> MultiplyAdd(Vector256<float> acc, Vector256<float> a, Vector256<float> b) =>
        Fma.MultiplyAdd(a, b, acc);
}
