using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace ModelGen.Kernels;

/// <summary>
/// 128-bit float kernels, generic over the weight format and the multiply-add (portable <c>Vector128</c>, or arm64
/// FMLA for the AdvSimd paths). Same blocking as <see cref="DenseFloatAvx2"/>, 4 lanes wide, with a 2 x 4 register
/// tile (8 accumulators fit x64's 16 xmm registers next to the weights and the fp16 conversion).
/// </summary>
internal static class DenseFloat128
{
    private const int Width = 4;

    public static void Run<TW, TF, TFma>(in FloatDense<TW> a)
        where TW : unmanaged where TF : struct, IWeightFormat<TW> where TFma : struct, IFma128
    {
        if (a.K < Width)
        {
            DenseFloatScalar.Run<TW, TF>(in a);
            return;
        }
        int j = 0;
        for (; j <= a.N - 4; j += 4)
        {
            // A block of 4 W rows stays in L1/L2 while every x row passes over it: W is read from memory once.
            int b = 0;
            for (; b <= a.Batch - 4; b += 4)
            {
                Tile2x4<TW, TF, TFma>(in a, j, b);
                Tile2x4<TW, TF, TFma>(in a, j + 2, b);
            }
            for (; b < a.Batch; b++)
                Rows4<TW, TF, TFma>(in a, j, b);
        }
        for (; j < a.N; j++)
            for (int b = 0; b < a.Batch; b++)
                Row1<TW, TF, TFma>(in a, j, b);
    }

    /// <summary>GEMV step: 4 W rows against one x row, two accumulators per row to hide the FMA latency.</summary>
    private static void Rows4<TW, TF, TFma>(in FloatDense<TW> a, int j, int b)
        where TW : unmanaged where TF : struct, IWeightFormat<TW> where TFma : struct, IFma128
    {
        nuint k = (nuint)a.K;
        ref float x = ref a.XRow(b);
        ref TW w0 = ref a.WRow(j);
        ref TW w1 = ref Unsafe.Add(ref w0, k);
        ref TW w2 = ref Unsafe.Add(ref w1, k);
        ref TW w3 = ref Unsafe.Add(ref w2, k);
        Vector128<float> s0 = default, s1 = default, s2 = default, s3 = default;
        Vector128<float> t0 = default, t1 = default, t2 = default, t3 = default;
        nuint i = 0;
        for (; i + 2 * Width <= k; i += 2 * Width)
        {
            Vector128<float> xa = Vector128.LoadUnsafe(ref x, i), xb = Vector128.LoadUnsafe(ref x, i + Width);
            s0 = TFma.MultiplyAdd(s0, TF.Load4(ref Unsafe.Add(ref w0, i)), xa);
            s1 = TFma.MultiplyAdd(s1, TF.Load4(ref Unsafe.Add(ref w1, i)), xa);
            s2 = TFma.MultiplyAdd(s2, TF.Load4(ref Unsafe.Add(ref w2, i)), xa);
            s3 = TFma.MultiplyAdd(s3, TF.Load4(ref Unsafe.Add(ref w3, i)), xa);
            t0 = TFma.MultiplyAdd(t0, TF.Load4(ref Unsafe.Add(ref w0, i + Width)), xb);
            t1 = TFma.MultiplyAdd(t1, TF.Load4(ref Unsafe.Add(ref w1, i + Width)), xb);
            t2 = TFma.MultiplyAdd(t2, TF.Load4(ref Unsafe.Add(ref w2, i + Width)), xb);
            t3 = TFma.MultiplyAdd(t3, TF.Load4(ref Unsafe.Add(ref w3, i + Width)), xb);
        }
        if (i + Width <= k)
        {
            Vector128<float> xa = Vector128.LoadUnsafe(ref x, i);
            s0 = TFma.MultiplyAdd(s0, TF.Load4(ref Unsafe.Add(ref w0, i)), xa);
            s1 = TFma.MultiplyAdd(s1, TF.Load4(ref Unsafe.Add(ref w1, i)), xa);
            s2 = TFma.MultiplyAdd(s2, TF.Load4(ref Unsafe.Add(ref w2, i)), xa);
            s3 = TFma.MultiplyAdd(s3, TF.Load4(ref Unsafe.Add(ref w3, i)), xa);
            i += Width;
        }
        if (i < k)
        {
            Vector128<float> m = TailMask.Float128(k - i);
            i = k - Width;
            Vector128<float> xa = Vector128.LoadUnsafe(ref x, i) & m;
            t0 = TFma.MultiplyAdd(t0, TF.Load4(ref Unsafe.Add(ref w0, i)) & m, xa);
            t1 = TFma.MultiplyAdd(t1, TF.Load4(ref Unsafe.Add(ref w1, i)) & m, xa);
            t2 = TFma.MultiplyAdd(t2, TF.Load4(ref Unsafe.Add(ref w2, i)) & m, xa);
            t3 = TFma.MultiplyAdd(t3, TF.Load4(ref Unsafe.Add(ref w3, i)) & m, xa);
        }
        a.Store(b, j, Vector128.Sum(s0 + t0));
        a.Store(b, j + 1, Vector128.Sum(s1 + t1));
        a.Store(b, j + 2, Vector128.Sum(s2 + t2));
        a.Store(b, j + 3, Vector128.Sum(s3 + t3));
    }

    /// <summary>Register tile: 2 W rows x 4 x rows; each loaded weight vector serves 4 x rows.</summary>
    private static void Tile2x4<TW, TF, TFma>(in FloatDense<TW> a, int j, int b)
        where TW : unmanaged where TF : struct, IWeightFormat<TW> where TFma : struct, IFma128
    {
        nuint k = (nuint)a.K;
        ref TW w0 = ref a.WRow(j);
        ref TW w1 = ref Unsafe.Add(ref w0, k);
        ref float x0 = ref a.XRow(b);
        ref float x1 = ref Unsafe.Add(ref x0, k);
        ref float x2 = ref Unsafe.Add(ref x1, k);
        ref float x3 = ref Unsafe.Add(ref x2, k);
        Vector128<float> c00 = default, c01 = default, c02 = default, c03 = default;
        Vector128<float> c10 = default, c11 = default, c12 = default, c13 = default;
        nuint i = 0;
        for (; i + Width <= k; i += Width)
        {
            Vector128<float> wa = TF.Load4(ref Unsafe.Add(ref w0, i)), wb = TF.Load4(ref Unsafe.Add(ref w1, i));
            Vector128<float> xv = Vector128.LoadUnsafe(ref x0, i);
            c00 = TFma.MultiplyAdd(c00, wa, xv);
            c10 = TFma.MultiplyAdd(c10, wb, xv);
            xv = Vector128.LoadUnsafe(ref x1, i);
            c01 = TFma.MultiplyAdd(c01, wa, xv);
            c11 = TFma.MultiplyAdd(c11, wb, xv);
            xv = Vector128.LoadUnsafe(ref x2, i);
            c02 = TFma.MultiplyAdd(c02, wa, xv);
            c12 = TFma.MultiplyAdd(c12, wb, xv);
            xv = Vector128.LoadUnsafe(ref x3, i);
            c03 = TFma.MultiplyAdd(c03, wa, xv);
            c13 = TFma.MultiplyAdd(c13, wb, xv);
        }
        if (i < k)
        {
            // Masking both operands keeps already-summed Inf/NaN lanes out (0 * Inf would add a NaN).
            Vector128<float> m = TailMask.Float128(k - i);
            i = k - Width;
            Vector128<float> wa = TF.Load4(ref Unsafe.Add(ref w0, i)) & m, wb = TF.Load4(ref Unsafe.Add(ref w1, i)) & m;
            Vector128<float> xv = Vector128.LoadUnsafe(ref x0, i) & m;
            c00 = TFma.MultiplyAdd(c00, wa, xv);
            c10 = TFma.MultiplyAdd(c10, wb, xv);
            xv = Vector128.LoadUnsafe(ref x1, i) & m;
            c01 = TFma.MultiplyAdd(c01, wa, xv);
            c11 = TFma.MultiplyAdd(c11, wb, xv);
            xv = Vector128.LoadUnsafe(ref x2, i) & m;
            c02 = TFma.MultiplyAdd(c02, wa, xv);
            c12 = TFma.MultiplyAdd(c12, wb, xv);
            xv = Vector128.LoadUnsafe(ref x3, i) & m;
            c03 = TFma.MultiplyAdd(c03, wa, xv);
            c13 = TFma.MultiplyAdd(c13, wb, xv);
        }
        a.Store(b, j, Vector128.Sum(c00));
        a.Store(b + 1, j, Vector128.Sum(c01));
        a.Store(b + 2, j, Vector128.Sum(c02));
        a.Store(b + 3, j, Vector128.Sum(c03));
        a.Store(b, j + 1, Vector128.Sum(c10));
        a.Store(b + 1, j + 1, Vector128.Sum(c11));
        a.Store(b + 2, j + 1, Vector128.Sum(c12));
        a.Store(b + 3, j + 1, Vector128.Sum(c13));
    }

    /// <summary>One W row against one x row (the last n mod 4 rows).</summary>
    private static void Row1<TW, TF, TFma>(in FloatDense<TW> a, int j, int b)
        where TW : unmanaged where TF : struct, IWeightFormat<TW> where TFma : struct, IFma128
    {
        nuint k = (nuint)a.K;
        ref float x = ref a.XRow(b);
        ref TW w = ref a.WRow(j);
        Vector128<float> s = default, t = default;
        nuint i = 0;
        for (; i + 2 * Width <= k; i += 2 * Width)
        {
            s = TFma.MultiplyAdd(s, TF.Load4(ref Unsafe.Add(ref w, i)), Vector128.LoadUnsafe(ref x, i));
            t = TFma.MultiplyAdd(t, TF.Load4(ref Unsafe.Add(ref w, i + Width)), Vector128.LoadUnsafe(ref x, i + Width));
        }
        if (i + Width <= k)
        {
            s = TFma.MultiplyAdd(s, TF.Load4(ref Unsafe.Add(ref w, i)), Vector128.LoadUnsafe(ref x, i));
            i += Width;
        }
        if (i < k)
        {
            Vector128<float> m = TailMask.Float128(k - i);
            i = k - Width;
            t = TFma.MultiplyAdd(t, TF.Load4(ref Unsafe.Add(ref w, i)) & m, Vector128.LoadUnsafe(ref x, i) & m);
        }
        a.Store(b, j, Vector128.Sum(s + t));
    }
}
