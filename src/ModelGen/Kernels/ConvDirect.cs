using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ModelGen.Kernels;

/// <summary>
/// Direct convolution for few weights per output channel (depthwise, or cin = 1..3 first layers): each input plane is
/// copied once into scratch with its zero padding and its columns split by stride phase (column c goes to phase
/// <c>c mod s</c>, index <c>c / s</c>), so every tap of every output row reads a contiguous, in-bounds run for any
/// stride, padding or dilation, and the row loop vectorizes along the output width with no edge cases. The output
/// row accumulates in registers over all taps of one input channel (initialized with the bias for the first).
/// The padding border is zeroed once per image: every channel's copy rewrites the same interior cells. Stride 2
/// deinterleaves each input row with vectors (<see cref="Deinterleave"/>). One input channel per output with a 3 x 3
/// kernel (MobileNet's depthwise layers, cin = 1 stems) runs a whole output plane per call with the 9 weights
/// broadcast once into registers and ReLU / ReLU6 fused into the store; other activations run over each finished
/// plane while it is in cache.
/// </summary>
internal static class ConvDirect
{
    /// <summary>Floats of one padded, phase-split input plane.</summary>
    public static long PlaneFloats(in Conv2dShape s) =>
        (long)s.StrideWidth * PhaseWidth(s) * (s.InHeight + 2L * s.PaddingHeight);

    private static int PhaseWidth(in Conv2dShape s) => (s.InWidth + 2 * s.PaddingWidth + s.StrideWidth - 1) / s.StrideWidth;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(KernelPath path, ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> bias,
        Span<float> y, in Conv2dShape s, Activation activation, Span<float> scratch)
    {
        int taps = s.KernelHeight * s.KernelWidth, q = PhaseWidth(s), rows = s.InHeight + 2 * s.PaddingHeight;
        int oh = s.OutHeight, ow = s.OutWidth, plane = s.InHeight * s.InWidth, outPlane = oh * ow;
        int cinG = s.InChannelsPerGroup, coutG = s.OutChannelsPerGroup;
        Span<float> padded = scratch[..(int)PlaneFloats(s)];
        // Offset of tap (ky, kx) in the padded plane from the start of output row oy's first input row.
        Span<nint> offsets = stackalloc nint[ConvKernels.DirectMaxTaps];
        for (int ky = 0; ky < s.KernelHeight; ky++)
            for (int kx = 0; kx < s.KernelWidth; kx++)
                offsets[ky * s.KernelWidth + kx] = ColumnOffset(s, kx, rows, q) + (nint)ky * s.DilationHeight * q;
        ref nint offset = ref MemoryMarshal.GetReference(offsets);
        ref float source = ref MemoryMarshal.GetReference(padded);
        nint rowStep = (nint)s.StrideHeight * q;
        // One input channel per output (depthwise, cin = 1 stems), 3 x 3, at least one 4-float vector wide: the whole
        // output plane in one call with the 9 weights in registers, bias and piecewise-linear activation fused.
        bool plane3x3 = path != KernelPath.Scalar && cinG == 1 && s.KernelHeight == 3 && s.KernelWidth == 3 && ow >= 4;
        bool fused = plane3x3 && activation is Activation.None or Activation.Relu or Activation.Relu6;
        // Hoisted out of the channel loop: ColumnOffset divides, a visible cost on 7 x 7 planes.
        nint r1 = (nint)s.DilationHeight * q, c1 = ColumnOffset(s, 1, rows, q), c2 = ColumnOffset(s, 2, rows, q);
        // Pack rewrites the same interior cells for every channel, so the zero border written here stays zero.
        padded.Clear();
        for (int g = 0; g < s.Groups; g++)
            for (int ci = 0; ci < cinG; ci++)
            {
                Pack(path, x.Slice((g * cinG + ci) * plane, plane), padded, s, q, rows);
                for (int c = 0; c < coutG; c++)
                {
                    int co = g * coutG + c;
                    ref float taps0 = ref Unsafe.AsRef(in w[(co * cinG + ci) * taps]);
                    ref float yPlane = ref y[co * outPlane];
                    bool first = ci == 0;
                    float init = first && !bias.IsEmpty ? bias[co] : 0f;
                    if (plane3x3)
                    {
                        Activation inKernel = fused ? activation : Activation.None;
                        if (path == KernelPath.Avx2 && ow >= 8)
                            Plane3x3Avx2(ref source, rowStep, r1, c1, c2, ref taps0, init, ref yPlane, oh, ow, inKernel);
                        else if (path is KernelPath.AdvSimd or KernelPath.AdvSimdDp)
                            Plane3x3Vector128<AdvSimdFma128>(ref source, rowStep, r1, c1, c2, ref taps0, init, ref yPlane, oh, ow, inKernel);
                        else
                            Plane3x3Vector128<PortableFma128>(ref source, rowStep, r1, c1, c2, ref taps0, init, ref yPlane, oh, ow, inKernel);
                    }
                    else
                    {
                        for (int oy = 0; oy < oh; oy++)
                        {
                            ref float input = ref Unsafe.Add(ref source, oy * rowStep);
                            ref float output = ref Unsafe.Add(ref yPlane, (nint)oy * ow);
                            switch (path)
                            {
                                case KernelPath.Avx2: Row256(ref input, ref offset, ref taps0, taps, ref output, ow, first, init); break;
                                case KernelPath.Vector128: Row128<PortableFma128>(ref input, ref offset, ref taps0, taps, ref output, ow, first, init); break;
                                case KernelPath.AdvSimd or KernelPath.AdvSimdDp:
                                    Row128<AdvSimdFma128>(ref input, ref offset, ref taps0, taps, ref output, ow, first, init); break;
                                default: RowScalar(ref input, ref offset, ref taps0, taps, ref output, 0, ow, first, init); break;
                            }
                        }
                    }
                    // A finished plane gets its activation while it is still in cache.
                    if (ci == cinG - 1 && !fused && activation != Activation.None)
                        ConvKernels.BiasActivation(path, y.Slice(co * outPlane, outPlane), [], 1, outPlane, activation);
                }
            }
    }

    /// <summary>Offset in the padded plane of kernel column <paramref name="kx"/>: its stride phase's block, then its index there.</summary>
    private static nint ColumnOffset(in Conv2dShape s, int kx, int rows, int q)
    {
        int column = kx * s.DilationWidth;
        return (nint)(column % s.StrideWidth) * rows * q + column / s.StrideWidth;
    }

    /// <summary>
    /// Copies one input plane into the interior of <paramref name="padded"/> (whose border the caller zeroed), columns
    /// split by stride phase. Stride 2 deinterleaves each row with vectors.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Pack(KernelPath path, ReadOnlySpan<float> x, Span<float> padded, in Conv2dShape s, int q, int rows)
    {
        int stride = s.StrideWidth, width = s.InWidth, pad = s.PaddingWidth;
        ref float target = ref MemoryMarshal.GetReference(padded);
        for (int iy = 0; iy < s.InHeight; iy++)
        {
            ReadOnlySpan<float> row = x.Slice(iy * width, width);
            int paddedRow = iy + s.PaddingHeight;
            if (stride == 1)
            {
                ShortCopy.Floats(path, ref MemoryMarshal.GetReference(row), ref Unsafe.Add(ref target, (nint)paddedRow * q + pad), width);
                continue;
            }
            if (stride == 2)
            {
                // Input column 2k lands in phase pad % 2 at index k + pad / 2; column 2k + 1 in the other phase at k + (pad + 1) / 2.
                ref float evens = ref Unsafe.Add(ref target, ((nint)(pad & 1) * rows + paddedRow) * q + pad / 2);
                ref float odds = ref Unsafe.Add(ref target, ((nint)((pad + 1) & 1) * rows + paddedRow) * q + (pad + 1) / 2);
                Deinterleave.Row(path, ref MemoryMarshal.GetReference(row), width, ref evens, ref odds);
                continue;
            }
            // Phase r holds padded columns r, r + stride, ...: input column q * stride + r - padding.
            for (int r = 0; r < stride; r++)
            {
                Span<float> phase = padded.Slice((r * rows + paddedRow) * q, q);
                int ix = r - pad, j = 0;
                for (; ix < 0; ix += stride) j++;
                for (; ix < width; ix += stride) phase[j++] = row[ix];
            }
        }
    }

    /// <summary>
    /// One output plane of a 3 x 3 kernel over one padded input plane, 8 columns at a time (the last vector of a row
    /// overlaps the one before: it recomputes the same values). Row oy reads padded rows <c>oy * rowStep + {0, r1, 2 r1}</c>,
    /// columns <c>{0, c1, c2}</c> past them; <c>ow</c> must be at least 8.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Plane3x3Avx2(ref float source, nint rowStep, nint r1, nint c1, nint c2, ref float w, float bias,
        ref float y, int oh, int ow, Activation activation)
    {
        const int Width = 8;
        Vector256<float> w0 = Vector256.Create(w), w1 = Vector256.Create(Unsafe.Add(ref w, 1)), w2 = Vector256.Create(Unsafe.Add(ref w, 2));
        Vector256<float> w3 = Vector256.Create(Unsafe.Add(ref w, 3)), w4 = Vector256.Create(Unsafe.Add(ref w, 4)), w5 = Vector256.Create(Unsafe.Add(ref w, 5));
        Vector256<float> w6 = Vector256.Create(Unsafe.Add(ref w, 6)), w7 = Vector256.Create(Unsafe.Add(ref w, 7)), w8 = Vector256.Create(Unsafe.Add(ref w, 8));
        Vector256<float> start = Vector256.Create(bias);
        nuint n = (nuint)ow, last = n - Width;
        int oy = 0;
        // Stride 1, dilation 1: output rows oy and oy + 1 share input rows oy + 1 and oy + 2, so a pair of rows loads
        // 12 vectors instead of 18 (each output still sums its 9 taps in the same order as below).
        if (rowStep == r1)
        {
            for (; oy + 2 <= oh; oy += 2)
            {
                ref float i0 = ref Unsafe.Add(ref source, oy * rowStep);
                ref float i1 = ref Unsafe.Add(ref i0, r1);
                ref float i2 = ref Unsafe.Add(ref i1, r1);
                ref float i3 = ref Unsafe.Add(ref i2, r1);
                ref float out0 = ref Unsafe.Add(ref y, (nint)oy * ow);
                ref float out1 = ref Unsafe.Add(ref out0, ow);
                for (nuint i = 0; ; i = Math.Min(i + Width, last))
                {
                    Vector256<float> left = Vector256.LoadUnsafe(ref i0, i);
                    Vector256<float> middle = Vector256.LoadUnsafe(ref Unsafe.Add(ref i0, c1), i);
                    Vector256<float> right = Vector256.LoadUnsafe(ref Unsafe.Add(ref i0, c2), i);
                    Vector256<float> acc0 = Fma.MultiplyAdd(w0, left, start);
                    acc0 = Fma.MultiplyAdd(w1, middle, acc0);
                    acc0 = Fma.MultiplyAdd(w2, right, acc0);
                    left = Vector256.LoadUnsafe(ref i1, i);
                    middle = Vector256.LoadUnsafe(ref Unsafe.Add(ref i1, c1), i);
                    right = Vector256.LoadUnsafe(ref Unsafe.Add(ref i1, c2), i);
                    acc0 = Fma.MultiplyAdd(w3, left, acc0);
                    acc0 = Fma.MultiplyAdd(w4, middle, acc0);
                    acc0 = Fma.MultiplyAdd(w5, right, acc0);
                    Vector256<float> acc1 = Fma.MultiplyAdd(w0, left, start);
                    acc1 = Fma.MultiplyAdd(w1, middle, acc1);
                    acc1 = Fma.MultiplyAdd(w2, right, acc1);
                    left = Vector256.LoadUnsafe(ref i2, i);
                    middle = Vector256.LoadUnsafe(ref Unsafe.Add(ref i2, c1), i);
                    right = Vector256.LoadUnsafe(ref Unsafe.Add(ref i2, c2), i);
                    acc0 = Fma.MultiplyAdd(w6, left, acc0);
                    acc0 = Fma.MultiplyAdd(w7, middle, acc0);
                    acc0 = Fma.MultiplyAdd(w8, right, acc0);
                    acc1 = Fma.MultiplyAdd(w3, left, acc1);
                    acc1 = Fma.MultiplyAdd(w4, middle, acc1);
                    acc1 = Fma.MultiplyAdd(w5, right, acc1);
                    ActivationFunctions.Apply(acc0, activation).StoreUnsafe(ref out0, i);
                    left = Vector256.LoadUnsafe(ref i3, i);
                    middle = Vector256.LoadUnsafe(ref Unsafe.Add(ref i3, c1), i);
                    right = Vector256.LoadUnsafe(ref Unsafe.Add(ref i3, c2), i);
                    acc1 = Fma.MultiplyAdd(w6, left, acc1);
                    acc1 = Fma.MultiplyAdd(w7, middle, acc1);
                    acc1 = Fma.MultiplyAdd(w8, right, acc1);
                    ActivationFunctions.Apply(acc1, activation).StoreUnsafe(ref out1, i);
                    if (i == last) break;
                }
            }
        }
        for (; oy < oh; oy++)
        {
            ref float i0 = ref Unsafe.Add(ref source, oy * rowStep);
            ref float i1 = ref Unsafe.Add(ref i0, r1);
            ref float i2 = ref Unsafe.Add(ref i1, r1);
            ref float out0 = ref Unsafe.Add(ref y, (nint)oy * ow);
            for (nuint i = 0; ; i = Math.Min(i + Width, last))
            {
                Vector256<float> acc = Fma.MultiplyAdd(w0, Vector256.LoadUnsafe(ref i0, i), start);
                acc = Fma.MultiplyAdd(w1, Vector256.LoadUnsafe(ref Unsafe.Add(ref i0, c1), i), acc);
                acc = Fma.MultiplyAdd(w2, Vector256.LoadUnsafe(ref Unsafe.Add(ref i0, c2), i), acc);
                acc = Fma.MultiplyAdd(w3, Vector256.LoadUnsafe(ref i1, i), acc);
                acc = Fma.MultiplyAdd(w4, Vector256.LoadUnsafe(ref Unsafe.Add(ref i1, c1), i), acc);
                acc = Fma.MultiplyAdd(w5, Vector256.LoadUnsafe(ref Unsafe.Add(ref i1, c2), i), acc);
                acc = Fma.MultiplyAdd(w6, Vector256.LoadUnsafe(ref i2, i), acc);
                acc = Fma.MultiplyAdd(w7, Vector256.LoadUnsafe(ref Unsafe.Add(ref i2, c1), i), acc);
                acc = Fma.MultiplyAdd(w8, Vector256.LoadUnsafe(ref Unsafe.Add(ref i2, c2), i), acc);
                ActivationFunctions.Apply(acc, activation).StoreUnsafe(ref out0, i);
                if (i == last) break;
            }
        }
    }

    /// <summary>The 4-wide <see cref="Plane3x3Avx2"/>; <c>ow</c> must be at least 4.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Plane3x3Vector128<TFma>(ref float source, nint rowStep, nint r1, nint c1, nint c2, ref float w,
        float bias, ref float y, int oh, int ow, Activation activation) where TFma : struct, IFma128
    {
        const int Width = 4;
        Vector128<float> w0 = Vector128.Create(w), w1 = Vector128.Create(Unsafe.Add(ref w, 1)), w2 = Vector128.Create(Unsafe.Add(ref w, 2));
        Vector128<float> w3 = Vector128.Create(Unsafe.Add(ref w, 3)), w4 = Vector128.Create(Unsafe.Add(ref w, 4)), w5 = Vector128.Create(Unsafe.Add(ref w, 5));
        Vector128<float> w6 = Vector128.Create(Unsafe.Add(ref w, 6)), w7 = Vector128.Create(Unsafe.Add(ref w, 7)), w8 = Vector128.Create(Unsafe.Add(ref w, 8));
        Vector128<float> start = Vector128.Create(bias);
        nuint n = (nuint)ow, last = n - Width;
        for (int oy = 0; oy < oh; oy++)
        {
            ref float i0 = ref Unsafe.Add(ref source, oy * rowStep);
            ref float i1 = ref Unsafe.Add(ref i0, r1);
            ref float i2 = ref Unsafe.Add(ref i1, r1);
            ref float out0 = ref Unsafe.Add(ref y, (nint)oy * ow);
            for (nuint i = 0; ; i = Math.Min(i + Width, last))
            {
                Vector128<float> acc = TFma.MultiplyAdd(start, w0, Vector128.LoadUnsafe(ref i0, i));
                acc = TFma.MultiplyAdd(acc, w1, Vector128.LoadUnsafe(ref Unsafe.Add(ref i0, c1), i));
                acc = TFma.MultiplyAdd(acc, w2, Vector128.LoadUnsafe(ref Unsafe.Add(ref i0, c2), i));
                acc = TFma.MultiplyAdd(acc, w3, Vector128.LoadUnsafe(ref i1, i));
                acc = TFma.MultiplyAdd(acc, w4, Vector128.LoadUnsafe(ref Unsafe.Add(ref i1, c1), i));
                acc = TFma.MultiplyAdd(acc, w5, Vector128.LoadUnsafe(ref Unsafe.Add(ref i1, c2), i));
                acc = TFma.MultiplyAdd(acc, w6, Vector128.LoadUnsafe(ref i2, i));
                acc = TFma.MultiplyAdd(acc, w7, Vector128.LoadUnsafe(ref Unsafe.Add(ref i2, c1), i));
                acc = TFma.MultiplyAdd(acc, w8, Vector128.LoadUnsafe(ref Unsafe.Add(ref i2, c2), i));
                ActivationFunctions.Apply(acc, activation).StoreUnsafe(ref out0, i);
                if (i == last) break;
            }
        }
    }

    /// <summary>Output columns [from, to) of one row: <c>y = (first ? init : y) + sum_t w[t] * input[offset[t] + ox]</c>.</summary>
    private static void RowScalar(ref float input, ref nint offset, ref float w, int taps, ref float y, int from, int to,
        bool first, float init)
    {
        for (int ox = from; ox < to; ox++)
        {
            float acc = first ? init : Unsafe.Add(ref y, ox);
            for (int t = 0; t < taps; t++)
                acc += Unsafe.Add(ref w, t) * Unsafe.Add(ref input, Unsafe.Add(ref offset, t) + ox);
            Unsafe.Add(ref y, ox) = acc;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Row256(ref float input, ref nint offset, ref float w, int taps, ref float y, int ow,
        bool first, float init)
    {
        const int Width = 8;
        if (ow < Width)
        {
            RowScalar(ref input, ref offset, ref w, taps, ref y, 0, ow, first, init);
            return;
        }
        Vector256<float> start = Vector256.Create(init);
        nuint n = (nuint)ow, i = 0;
        for (; i + Width <= n; i += Width)
        {
            Vector256<float> acc = first ? start : Vector256.LoadUnsafe(ref y, i);
            for (int t = 0; t < taps; t++)
                acc = Fma.MultiplyAdd(Vector256.Create(Unsafe.Add(ref w, t)),
                    Vector256.LoadUnsafe(ref Unsafe.Add(ref input, Unsafe.Add(ref offset, t)), i), acc);
            acc.StoreUnsafe(ref y, i);
        }
        if (i < n)
        {
            // The last full vector again: only its last n - i lanes are new; the others keep what the loop stored.
            Vector256<float> mask = TailMask.Float256(n - i);
            i = n - Width;
            Vector256<float> sum = Vector256<float>.Zero, old = Vector256.LoadUnsafe(ref y, i);
            for (int t = 0; t < taps; t++)
                sum = Fma.MultiplyAdd(Vector256.Create(Unsafe.Add(ref w, t)),
                    Vector256.LoadUnsafe(ref Unsafe.Add(ref input, Unsafe.Add(ref offset, t)), i), sum);
            Vector256.ConditionalSelect(mask, (first ? start : old) + sum, old).StoreUnsafe(ref y, i);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Row128<TFma>(ref float input, ref nint offset, ref float w, int taps, ref float y, int ow,
        bool first, float init) where TFma : struct, IFma128
    {
        const int Width = 4;
        if (ow < Width)
        {
            RowScalar(ref input, ref offset, ref w, taps, ref y, 0, ow, first, init);
            return;
        }
        Vector128<float> start = Vector128.Create(init);
        nuint n = (nuint)ow, i = 0;
        for (; i + Width <= n; i += Width)
        {
            Vector128<float> acc = first ? start : Vector128.LoadUnsafe(ref y, i);
            for (int t = 0; t < taps; t++)
                acc = TFma.MultiplyAdd(acc, Vector128.Create(Unsafe.Add(ref w, t)),
                    Vector128.LoadUnsafe(ref Unsafe.Add(ref input, Unsafe.Add(ref offset, t)), i));
            acc.StoreUnsafe(ref y, i);
        }
        if (i < n)
        {
            Vector128<float> mask = TailMask.Float128(n - i);
            i = n - Width;
            Vector128<float> sum = Vector128<float>.Zero, old = Vector128.LoadUnsafe(ref y, i);
            for (int t = 0; t < taps; t++)
                sum = TFma.MultiplyAdd(sum, Vector128.Create(Unsafe.Add(ref w, t)),
                    Vector128.LoadUnsafe(ref Unsafe.Add(ref input, Unsafe.Add(ref offset, t)), i));
            Vector128.ConditionalSelect(mask, (first ? start : old) + sum, old).StoreUnsafe(ref y, i);
        }
    }
}
