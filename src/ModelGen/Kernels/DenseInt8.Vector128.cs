using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace ModelGen.Kernels;

/// <summary>
/// 128-bit int8 kernels over quantized x, generic over the 16-pair multiply-accumulate step (portable, arm64
/// widening multiplies, or arm64 SDOT). Same blocking as the float kernels, 16 bytes per step.
/// </summary>
internal static class DenseInt8128
{
    private const int Width = 16;

    public static void Run<TDot>(in Int8Dense a) where TDot : struct, IInt8Dot128
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
                Tile2x4<TDot>(in a, j, b);
                Tile2x4<TDot>(in a, j + 2, b);
            }
            for (; b < a.Batch; b++)
                Rows4<TDot>(in a, j, b);
        }
        for (; j < a.N; j++)
            for (int b = 0; b < a.Batch; b++)
                Row1<TDot>(in a, j, b);
    }

    /// <summary>GEMV step: 4 W rows against one x row.</summary>
    private static void Rows4<TDot>(in Int8Dense a, int j, int b) where TDot : struct, IInt8Dot128
    {
        nuint k = (nuint)a.K;
        ref sbyte x = ref a.XRow(b);
        ref sbyte w0 = ref a.WRow(j);
        ref sbyte w1 = ref Unsafe.Add(ref w0, k);
        ref sbyte w2 = ref Unsafe.Add(ref w1, k);
        ref sbyte w3 = ref Unsafe.Add(ref w2, k);
        Vector128<int> s0 = default, s1 = default, s2 = default, s3 = default;
        nuint i = 0;
        for (; i + Width <= k; i += Width)
        {
            Vector128<sbyte> xv = Vector128.LoadUnsafe(ref x, i);
            s0 = TDot.Accumulate(s0, Vector128.LoadUnsafe(ref w0, i), xv);
            s1 = TDot.Accumulate(s1, Vector128.LoadUnsafe(ref w1, i), xv);
            s2 = TDot.Accumulate(s2, Vector128.LoadUnsafe(ref w2, i), xv);
            s3 = TDot.Accumulate(s3, Vector128.LoadUnsafe(ref w3, i), xv);
        }
        if (i < k)
        {
            // Zeroing x's already-summed lanes zeroes their products: integers have no Inf/NaN to worry about.
            Vector128<sbyte> m = TailMask.Int8x128(k - i);
            i = k - Width;
            Vector128<sbyte> xv = Vector128.LoadUnsafe(ref x, i) & m;
            s0 = TDot.Accumulate(s0, Vector128.LoadUnsafe(ref w0, i), xv);
            s1 = TDot.Accumulate(s1, Vector128.LoadUnsafe(ref w1, i), xv);
            s2 = TDot.Accumulate(s2, Vector128.LoadUnsafe(ref w2, i), xv);
            s3 = TDot.Accumulate(s3, Vector128.LoadUnsafe(ref w3, i), xv);
        }
        a.Store(b, j, Vector128.Sum(s0));
        a.Store(b, j + 1, Vector128.Sum(s1));
        a.Store(b, j + 2, Vector128.Sum(s2));
        a.Store(b, j + 3, Vector128.Sum(s3));
    }

    /// <summary>Register tile: 2 W rows x 4 x rows.</summary>
    private static void Tile2x4<TDot>(in Int8Dense a, int j, int b) where TDot : struct, IInt8Dot128
    {
        nuint k = (nuint)a.K;
        ref sbyte w0 = ref a.WRow(j);
        ref sbyte w1 = ref Unsafe.Add(ref w0, k);
        ref sbyte x0 = ref a.XRow(b);
        ref sbyte x1 = ref Unsafe.Add(ref x0, k);
        ref sbyte x2 = ref Unsafe.Add(ref x1, k);
        ref sbyte x3 = ref Unsafe.Add(ref x2, k);
        Vector128<int> c00 = default, c01 = default, c02 = default, c03 = default;
        Vector128<int> c10 = default, c11 = default, c12 = default, c13 = default;
        nuint i = 0;
        for (; i + Width <= k; i += Width)
        {
            Vector128<sbyte> wa = Vector128.LoadUnsafe(ref w0, i), wb = Vector128.LoadUnsafe(ref w1, i);
            Vector128<sbyte> xv = Vector128.LoadUnsafe(ref x0, i);
            c00 = TDot.Accumulate(c00, wa, xv);
            c10 = TDot.Accumulate(c10, wb, xv);
            xv = Vector128.LoadUnsafe(ref x1, i);
            c01 = TDot.Accumulate(c01, wa, xv);
            c11 = TDot.Accumulate(c11, wb, xv);
            xv = Vector128.LoadUnsafe(ref x2, i);
            c02 = TDot.Accumulate(c02, wa, xv);
            c12 = TDot.Accumulate(c12, wb, xv);
            xv = Vector128.LoadUnsafe(ref x3, i);
            c03 = TDot.Accumulate(c03, wa, xv);
            c13 = TDot.Accumulate(c13, wb, xv);
        }
        if (i < k)
        {
            Vector128<sbyte> m = TailMask.Int8x128(k - i);
            i = k - Width;
            Vector128<sbyte> wa = Vector128.LoadUnsafe(ref w0, i), wb = Vector128.LoadUnsafe(ref w1, i);
            Vector128<sbyte> xv = Vector128.LoadUnsafe(ref x0, i) & m;
            c00 = TDot.Accumulate(c00, wa, xv);
            c10 = TDot.Accumulate(c10, wb, xv);
            xv = Vector128.LoadUnsafe(ref x1, i) & m;
            c01 = TDot.Accumulate(c01, wa, xv);
            c11 = TDot.Accumulate(c11, wb, xv);
            xv = Vector128.LoadUnsafe(ref x2, i) & m;
            c02 = TDot.Accumulate(c02, wa, xv);
            c12 = TDot.Accumulate(c12, wb, xv);
            xv = Vector128.LoadUnsafe(ref x3, i) & m;
            c03 = TDot.Accumulate(c03, wa, xv);
            c13 = TDot.Accumulate(c13, wb, xv);
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
    private static void Row1<TDot>(in Int8Dense a, int j, int b) where TDot : struct, IInt8Dot128
    {
        nuint k = (nuint)a.K;
        ref sbyte x = ref a.XRow(b);
        ref sbyte w = ref a.WRow(j);
        Vector128<int> s = default;
        nuint i = 0;
        for (; i + Width <= k; i += Width)
            s = TDot.Accumulate(s, Vector128.LoadUnsafe(ref w, i), Vector128.LoadUnsafe(ref x, i));
        if (i < k)
        {
            Vector128<sbyte> m = TailMask.Int8x128(k - i);
            i = k - Width;
            s = TDot.Accumulate(s, Vector128.LoadUnsafe(ref w, i), Vector128.LoadUnsafe(ref x, i) & m);
        }
        a.Store(b, j, Vector128.Sum(s));
    }
}
