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
/// </summary>
internal static class ConvDirect
{
    /// <summary>Floats of one padded, phase-split input plane.</summary>
    public static long PlaneFloats(in Conv2dShape s) =>
        (long)s.StrideWidth * PhaseWidth(s) * (s.InHeight + 2L * s.PaddingHeight);

    private static int PhaseWidth(in Conv2dShape s) => (s.InWidth + 2 * s.PaddingWidth + s.StrideWidth - 1) / s.StrideWidth;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(KernelPath path, ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> bias,
        Span<float> y, in Conv2dShape s, Span<float> scratch)
    {
        int taps = s.KernelHeight * s.KernelWidth, q = PhaseWidth(s), rows = s.InHeight + 2 * s.PaddingHeight;
        int oh = s.OutHeight, ow = s.OutWidth, plane = s.InHeight * s.InWidth, outPlane = oh * ow;
        int cinG = s.InChannelsPerGroup, coutG = s.OutChannelsPerGroup;
        Span<float> padded = scratch[..(int)PlaneFloats(s)];
        // Offset of tap (ky, kx) in the padded plane from the start of output row oy's first input row.
        Span<nint> offsets = stackalloc nint[ConvKernels.DirectMaxTaps];
        for (int ky = 0; ky < s.KernelHeight; ky++)
            for (int kx = 0; kx < s.KernelWidth; kx++)
            {
                int column = kx * s.DilationWidth;
                offsets[ky * s.KernelWidth + kx] =
                    ((nint)(column % s.StrideWidth) * rows + ky * s.DilationHeight) * q + column / s.StrideWidth;
            }
        ref nint offset = ref MemoryMarshal.GetReference(offsets);
        ref float source = ref MemoryMarshal.GetReference(padded);
        nint rowStep = (nint)s.StrideHeight * q;
        for (int g = 0; g < s.Groups; g++)
            for (int ci = 0; ci < cinG; ci++)
            {
                Pack(x.Slice((g * cinG + ci) * plane, plane), padded, s, q, rows);
                for (int c = 0; c < coutG; c++)
                {
                    int co = g * coutG + c;
                    ref float taps0 = ref Unsafe.AsRef(in w[(co * cinG + ci) * taps]);
                    ref float yPlane = ref y[co * outPlane];
                    bool first = ci == 0;
                    float init = first && !bias.IsEmpty ? bias[co] : 0f;
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
            }
    }

    /// <summary>Copies one input plane into <paramref name="padded"/>: zero border, columns split by stride phase.</summary>
    private static void Pack(ReadOnlySpan<float> x, Span<float> padded, in Conv2dShape s, int q, int rows)
    {
        padded.Clear();
        int stride = s.StrideWidth, width = s.InWidth;
        for (int iy = 0; iy < s.InHeight; iy++)
        {
            ReadOnlySpan<float> row = x.Slice(iy * width, width);
            int paddedRow = iy + s.PaddingHeight;
            if (stride == 1)
            {
                row.CopyTo(padded.Slice(paddedRow * q + s.PaddingWidth, width));
                continue;
            }
            // Phase r holds padded columns r, r + stride, ...: input column q * stride + r - padding.
            for (int r = 0; r < stride; r++)
            {
                Span<float> phase = padded.Slice((r * rows + paddedRow) * q, q);
                int ix = r - s.PaddingWidth, j = 0;
                for (; ix < 0; ix += stride) j++;
                for (; ix < width; ix += stride) phase[j++] = row[ix];
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
