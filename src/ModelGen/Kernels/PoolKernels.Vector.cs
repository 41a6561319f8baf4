using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ModelGen.Kernels;

/// <summary>
/// Vector paths of <see cref="PoolKernels"/>: for each output row, the window's input rows are first reduced column by
/// column into a row on the stack (padded with the window's neutral value), then output columns reduce k neighbours
/// of that row, 8 (AVX2) or 4 at a time; stride 2 splits even and odd columns with <see cref="Deinterleave"/>. The
/// last vector of a row overlaps the one before it and recomputes the same values, so rows of any width need no masks.
/// </summary>
public static partial class PoolKernels
{
    /// <summary>Widest padded input row the vector paths reduce on the stack (8 KiB of floats, 16 KiB of doubles); wider rows run scalar.</summary>
    private const int MaxStackRow = 2048;

    /// <summary>Slack after the stack row, so that stride-2 loads (16 floats from any output column's start) stay inside it.</summary>
    private const int RowSlack = 16;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MaxPoolVector(KernelPath path, ReadOnlySpan<float> x, Span<float> y, int planes, int height,
        int width, int kernel, int stride, int padding, int oh, int ow)
    {
        Span<float> row = stackalloc float[width + 2 * padding + RowSlack];
        row.Fill(float.NegativeInfinity); // the padding columns and the slack stay -inf; the interior is rewritten per row
        ref float t = ref MemoryMarshal.GetReference(row);
        ref float interior = ref Unsafe.Add(ref t, padding);
        ref float src = ref MemoryMarshal.GetReference(x);
        ref float dst = ref MemoryMarshal.GetReference(y);
        for (int p = 0; p < planes; p++)
            for (int oy = 0; oy < oh; oy++)
            {
                (int y0, int y1) = Window(oy, kernel, stride, padding, height);
                MaxRows(path, ref Unsafe.Add(ref src, ((nint)p * height + y0) * width), width, y1 - y0, ref interior);
                MaxAlong(path, ref t, kernel, stride, ref Unsafe.Add(ref dst, ((nint)p * oh + oy) * ow), ow);
            }
    }

    /// <summary>
    /// 2 x 2 windows, stride 2, no padding (the pool after most CNN convolutions): each output row reads its two input
    /// rows in place, with no stack row and no window loops, which on small planes (28 x 28, 14 x 14) cost more than the
    /// maxima themselves. Same operations in the same order as <see cref="MaxPoolVector"/>, so the same bits.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MaxPool2x2Vector(KernelPath path, ReadOnlySpan<float> x, Span<float> y, int planes, int height,
        int width, int oh, int ow)
    {
        ref float src = ref MemoryMarshal.GetReference(x);
        ref float dst = ref MemoryMarshal.GetReference(y);
        for (int p = 0; p < planes; p++)
        {
            ref float plane = ref Unsafe.Add(ref src, (nint)p * height * width);
            ref float output = ref Unsafe.Add(ref dst, (nint)p * oh * ow);
            for (int oy = 0; oy < oh; oy++)
            {
                ref float top = ref Unsafe.Add(ref plane, (nint)2 * oy * width);
                MaxPairs(path, ref top, ref Unsafe.Add(ref top, width), ref Unsafe.Add(ref output, (nint)oy * ow), ow);
            }
        }
    }

    /// <summary>
    /// <c>y[i] = max(top[2i], bottom[2i], top[2i + 1], bottom[2i + 1])</c> for i &lt; n: rows first, then even against
    /// odd columns. Loads stay within the 2n input columns; the last vector overlaps the one before it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void MaxPairs(KernelPath path, ref float top, ref float bottom, ref float y, int n)
    {
        nuint count = (nuint)n, i = 0;
        if (path == KernelPath.Avx2 && count >= 8)
        {
            for (; ; i = Math.Min(i + 8, count - 8))
            {
                Vector256<float> a = Vector256.Max(Vector256.LoadUnsafe(ref top, 2 * i), Vector256.LoadUnsafe(ref bottom, 2 * i));
                Vector256<float> b = Vector256.Max(Vector256.LoadUnsafe(ref top, 2 * i + 8), Vector256.LoadUnsafe(ref bottom, 2 * i + 8));
                // Per 128-bit lane even and odd columns give outputs [0 1 4 5 | 2 3 6 7]: one reorder after the
                // maximum instead of one per operand (Deinterleave.Split's).
                Vector256<float> pairs = Vector256.Max(Avx.Shuffle(a, b, 0b10_00_10_00), Avx.Shuffle(a, b, 0b11_01_11_01));
                Avx2.Permute4x64(pairs.AsDouble(), 0b11_01_10_00).AsSingle().StoreUnsafe(ref y, i);
                if (i == count - 8) return;
            }
        }
        if (count >= 4)
        {
            for (; ; i = Math.Min(i + 4, count - 4))
            {
                Vector128<float> a = Vector128.Max(Vector128.LoadUnsafe(ref top, 2 * i), Vector128.LoadUnsafe(ref bottom, 2 * i));
                Vector128<float> b = Vector128.Max(Vector128.LoadUnsafe(ref top, 2 * i + 4), Vector128.LoadUnsafe(ref bottom, 2 * i + 4));
                Deinterleave.Split(a, b, out Vector128<float> even, out Vector128<float> odd);
                Vector128.Max(even, odd).StoreUnsafe(ref y, i);
                if (i == count - 4) return;
            }
        }
        for (; i < count; i++)
        {
            float even = Max(Unsafe.Add(ref top, 2 * i), Unsafe.Add(ref bottom, 2 * i));
            float odd = Max(Unsafe.Add(ref top, 2 * i + 1), Unsafe.Add(ref bottom, 2 * i + 1));
            Unsafe.Add(ref y, i) = Max(even, odd);
        }
    }

    /// <summary><c>t[j] = max over r &lt; count of rows[r * width + j]</c>, NaN propagating.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MaxRows(KernelPath path, ref float rows, int width, int count, ref float t)
    {
        nuint n = (nuint)width, j = 0;
        if (path == KernelPath.Avx2)
            for (; j + 8 <= n; j += 8)
            {
                Vector256<float> max = Vector256.LoadUnsafe(ref rows, j);
                for (int r = 1; r < count; r++)
                    max = Vector256.Max(max, Vector256.LoadUnsafe(ref Unsafe.Add(ref rows, (nint)r * width), j));
                max.StoreUnsafe(ref t, j);
            }
        for (; j + 4 <= n; j += 4)
        {
            Vector128<float> max = Vector128.LoadUnsafe(ref rows, j);
            for (int r = 1; r < count; r++)
                max = Vector128.Max(max, Vector128.LoadUnsafe(ref Unsafe.Add(ref rows, (nint)r * width), j));
            max.StoreUnsafe(ref t, j);
        }
        for (; j < n; j++)
        {
            float max = Unsafe.Add(ref rows, j);
            for (int r = 1; r < count; r++)
                max = Max(max, Unsafe.Add(ref rows, (nint)r * width + (nint)j));
            Unsafe.Add(ref t, j) = max;
        }
    }

    /// <summary><c>y[ox] = max over kx &lt; kernel of t[ox * stride + kx]</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MaxAlong(KernelPath path, ref float t, int kernel, int stride, ref float y, int ow)
    {
        nuint n = (nuint)ow, i = 0;
        if (stride <= 2 && path == KernelPath.Avx2 && n >= 8)
        {
            for (; ; i = Math.Min(i + 8, n - 8))
            {
                MaxWindows256(ref t, kernel, stride, i).StoreUnsafe(ref y, i);
                if (i == n - 8) return;
            }
        }
        if (stride <= 2 && n >= 4)
        {
            for (; ; i = Math.Min(i + 4, n - 4))
            {
                MaxWindows128(ref t, kernel, stride, i).StoreUnsafe(ref y, i);
                if (i == n - 4) return;
            }
        }
        for (; i < n; i++)
        {
            ref float window = ref Unsafe.Add(ref t, i * (nuint)stride);
            float max = window;
            for (int kx = 1; kx < kernel; kx++)
                max = Max(max, Unsafe.Add(ref window, kx));
            Unsafe.Add(ref y, i) = max;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> MaxWindows256(ref float t, int kernel, int stride, nuint ox)
    {
        Vector256<float> max = Vector256<float>.Zero;
        for (int kx = 0; kx < kernel; kx++)
        {
            Vector256<float> v;
            if (stride == 1)
                v = Vector256.LoadUnsafe(ref t, ox + (nuint)kx);
            else
            {
                nuint start = 2 * ox + (nuint)kx;
                Deinterleave.Split(Vector256.LoadUnsafe(ref t, start), Vector256.LoadUnsafe(ref t, start + 8), out v, out _);
            }
            max = kx == 0 ? v : Vector256.Max(max, v);
        }
        return max;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> MaxWindows128(ref float t, int kernel, int stride, nuint ox)
    {
        Vector128<float> max = Vector128<float>.Zero;
        for (int kx = 0; kx < kernel; kx++)
        {
            Vector128<float> v;
            if (stride == 1)
                v = Vector128.LoadUnsafe(ref t, ox + (nuint)kx);
            else
            {
                nuint start = 2 * ox + (nuint)kx;
                Deinterleave.Split(Vector128.LoadUnsafe(ref t, start), Vector128.LoadUnsafe(ref t, start + 4), out v, out _);
            }
            max = kx == 0 ? v : Vector128.Max(max, v);
        }
        return max;
    }

    /// <summary>The reference's maximum: a NaN, once met, stays.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Max(float max, float v) => v > max || float.IsNaN(v) ? v : max;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AvgPoolVector(KernelPath path, ReadOnlySpan<float> x, Span<float> y, int planes, int height,
        int width, int kernel, int stride, int padding, int oh, int ow, bool countIncludePad)
    {
        // Zero padding columns: adding +0.0 to a sum that starts at +0.0 changes no bits, so windows need no clipping.
        Span<double> row = stackalloc double[width + 2 * padding];
        row.Clear();
        ref double t = ref MemoryMarshal.GetReference(row);
        ref float src = ref MemoryMarshal.GetReference(x);
        ref float dst = ref MemoryMarshal.GetReference(y);
        for (int p = 0; p < planes; p++)
            for (int oy = 0; oy < oh; oy++)
            {
                (int y0, int y1) = Window(oy, kernel, stride, padding, height);
                SumRows(path, ref Unsafe.Add(ref src, ((nint)p * height + y0) * width), width, y1 - y0, ref Unsafe.Add(ref t, padding));
                ref float output = ref Unsafe.Add(ref dst, ((nint)p * oh + oy) * ow);
                for (int ox = 0; ox < ow; ox++)
                {
                    ref double window = ref Unsafe.Add(ref t, (nint)ox * stride);
                    double sum = 0;
                    for (int kx = 0; kx < kernel; kx++)
                        sum += Unsafe.Add(ref window, kx);
                    int count = kernel * kernel;
                    if (!countIncludePad)
                    {
                        (int x0, int x1) = Window(ox, kernel, stride, padding, width);
                        count = (y1 - y0) * (x1 - x0);
                    }
                    Unsafe.Add(ref output, ox) = (float)(sum / count);
                }
            }
    }

    /// <summary><c>t[j] = 0 + rows[j] + rows[width + j] + ...</c> over <paramref name="count"/> rows, in double, in row order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SumRows(KernelPath path, ref float rows, int width, int count, ref double t)
    {
        nuint n = (nuint)width, j = 0;
        if (path == KernelPath.Avx2)
            for (; j + 8 <= n; j += 8)
            {
                Vector256<double> lower = Vector256<double>.Zero, upper = Vector256<double>.Zero;
                for (int r = 0; r < count; r++)
                {
                    (Vector256<double> l, Vector256<double> u) = Vector256.Widen(Vector256.LoadUnsafe(ref Unsafe.Add(ref rows, (nint)r * width), j));
                    lower += l;
                    upper += u;
                }
                lower.StoreUnsafe(ref t, j);
                upper.StoreUnsafe(ref t, j + 4);
            }
        for (; j + 4 <= n; j += 4)
        {
            Vector128<double> lower = Vector128<double>.Zero, upper = Vector128<double>.Zero;
            for (int r = 0; r < count; r++)
            {
                (Vector128<double> l, Vector128<double> u) = Vector128.Widen(Vector128.LoadUnsafe(ref Unsafe.Add(ref rows, (nint)r * width), j));
                lower += l;
                upper += u;
            }
            lower.StoreUnsafe(ref t, j);
            upper.StoreUnsafe(ref t, j + 2);
        }
        for (; j < n; j++)
        {
            double sum = 0;
            for (int r = 0; r < count; r++)
                sum += Unsafe.Add(ref rows, (nint)r * width + (nint)j);
            Unsafe.Add(ref t, j) = sum;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void GlobalAvgPoolVector(KernelPath path, ReadOnlySpan<float> x, Span<float> y, int planes, int spatial)
    {
        ref float src = ref MemoryMarshal.GetReference(x);
        for (int p = 0; p < planes; p++)
        {
            ref float plane = ref Unsafe.Add(ref src, (nint)p * spatial);
            nuint n = (nuint)spatial, j = 0;
            double sum = 0;
            if (path == KernelPath.Avx2)
            {
                Vector256<double> lower = Vector256<double>.Zero, upper = Vector256<double>.Zero;
                for (; j + 8 <= n; j += 8)
                {
                    (Vector256<double> l, Vector256<double> u) = Vector256.Widen(Vector256.LoadUnsafe(ref plane, j));
                    lower += l;
                    upper += u;
                }
                sum = Vector256.Sum(lower + upper);
            }
            else
            {
                Vector128<double> lower = Vector128<double>.Zero, upper = Vector128<double>.Zero;
                for (; j + 4 <= n; j += 4)
                {
                    (Vector128<double> l, Vector128<double> u) = Vector128.Widen(Vector128.LoadUnsafe(ref plane, j));
                    lower += l;
                    upper += u;
                }
                sum = Vector128.Sum(lower + upper);
            }
            for (; j < n; j++)
                sum += Unsafe.Add(ref plane, j);
            Unsafe.Add(ref MemoryMarshal.GetReference(y), p) = (float)(sum / spatial);
        }
    }
}
