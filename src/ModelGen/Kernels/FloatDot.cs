using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ModelGen.Kernels;

/// <summary>
/// <c>sum_i a[i] b[i]</c> over contiguous fp32 runs, shared by the kernels that end in a plain dot product (decoded
/// codebook rows, the GEMM's last column): two vector accumulators, one more vector step, then the scalar tail.
/// </summary>
internal static class FloatDot
{
    /// <summary>AVX2 + FMA.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Avx2Path(ref float a, ref float b, int count)
    {
        const int Width = 8;
        Vector256<float> s = default, t = default;
        nuint n = (nuint)count, i = 0;
        for (; i + 2 * Width <= n; i += 2 * Width)
        {
            s = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref a, i), Vector256.LoadUnsafe(ref b, i), s);
            t = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref a, i + Width), Vector256.LoadUnsafe(ref b, i + Width), t);
        }
        if (i + Width <= n)
        {
            s = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref a, i), Vector256.LoadUnsafe(ref b, i), s);
            i += Width;
        }
        float sum = Vector256.Sum(s + t);
        for (; i < n; i++)
            sum += Unsafe.Add(ref a, i) * Unsafe.Add(ref b, i);
        return sum;
    }

    /// <summary>128-bit vectors with <typeparamref name="TFma"/>'s multiply-add.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Vector128Path<TFma>(ref float a, ref float b, int count) where TFma : struct, IFma128
    {
        const int Width = 4;
        Vector128<float> s = default, t = default;
        nuint n = (nuint)count, i = 0;
        for (; i + 2 * Width <= n; i += 2 * Width)
        {
            s = TFma.MultiplyAdd(s, Vector128.LoadUnsafe(ref a, i), Vector128.LoadUnsafe(ref b, i));
            t = TFma.MultiplyAdd(t, Vector128.LoadUnsafe(ref a, i + Width), Vector128.LoadUnsafe(ref b, i + Width));
        }
        if (i + Width <= n)
        {
            s = TFma.MultiplyAdd(s, Vector128.LoadUnsafe(ref a, i), Vector128.LoadUnsafe(ref b, i));
            i += Width;
        }
        float sum = Vector128.Sum(s + t);
        for (; i < n; i++)
            sum += Unsafe.Add(ref a, i) * Unsafe.Add(ref b, i);
        return sum;
    }
}
