using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ModelGen.Kernels;

/// <summary>
/// Register-blocked direct convolution for stride-1 kernels with many output channels per group (fashion_cnn's
/// 16 -> 32 3 x 3 on 14 x 14): the group's input planes are copied once into scratch with their zero padding, so
/// every tap of every output row reads a contiguous, in-bounds run; then a tile of output channels by 2 vectors of
/// one output row accumulates in registers over every input channel and tap and is stored once, bias first and
/// ReLU / ReLU6 fused into the store (other activations run over the finished planes). AVX2 tiles 6 channels
/// (2 input loads shared by the 6, 6 weight broadcasts, 12 FMAs a tap) or 4, the 128-bit paths 4; leftover channels
/// go one at a time. The last vectors of a row overlap the ones before and recompute the same values, so any width of
/// at least one vector has no edge case (narrower rows take the scalar code). Compared with im2col + GEMM it skips
/// writing and re-reading the K x positions im2col matrix (K 144 x 196 positions, 110 KiB for conv2) and its scratch
/// is only the padded planes. Every output sums its products in the same order on every path: bias, then input
/// channel, then tap (ky, kx).
/// </summary>
internal static class ConvBlocked
{
    /// <summary>Output channels per register tile.</summary>
    private const int TileChannels = 4;

    /// <summary>Output channels per AVX2 tile while that many are left: 12 accumulators, 2 input loads and 6 weight broadcasts a tap.</summary>
    private const int WideTileChannels = 6;

    /// <summary>Floats of scratch: the group's input planes, each zero-padded on all sides.</summary>
    public static long ScratchFloats(in Conv2dShape s) =>
        (long)s.InChannelsPerGroup * (s.InHeight + 2L * s.PaddingHeight) * (s.InWidth + 2L * s.PaddingWidth);

    /// <summary>Whether the kernel handles <paramref name="s"/>: stride 1 and at most <see cref="ConvKernels.DirectMaxTaps"/> taps.</summary>
    public static bool Handles(in Conv2dShape s) =>
        s.StrideHeight == 1 && s.StrideWidth == 1 && s.KernelHeight * s.KernelWidth <= ConvKernels.DirectMaxTaps;

    /// <summary>One image: <c>y = act(conv(x, w) + bias)</c>; shapes and spans validated by <see cref="ConvKernels"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(KernelPath path, ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> bias,
        Span<float> y, in Conv2dShape s, Activation activation, Span<float> scratch)
    {
        int taps = s.KernelHeight * s.KernelWidth, cinG = s.InChannelsPerGroup, coutG = s.OutChannelsPerGroup;
        int paddedWidth = s.InWidth + 2 * s.PaddingWidth, paddedPlane = paddedWidth * (s.InHeight + 2 * s.PaddingHeight);
        int oh = s.OutHeight, ow = s.OutWidth, outPlane = oh * ow;
        Span<float> padded = scratch[..(int)ScratchFloats(s)];
        // Offset of tap (ky, kx) in a padded plane from the first input of its output row.
        Span<nint> offsets = stackalloc nint[ConvKernels.DirectMaxTaps];
        for (int ky = 0; ky < s.KernelHeight; ky++)
            for (int kx = 0; kx < s.KernelWidth; kx++)
                offsets[ky * s.KernelWidth + kx] = (nint)ky * s.DilationHeight * paddedWidth + kx * s.DilationWidth;
        ref nint offset = ref MemoryMarshal.GetReference(offsets);
        ref float source = ref MemoryMarshal.GetReference(padded);
        bool fused = activation is Activation.None or Activation.Relu or Activation.Relu6;
        Activation inKernel = fused ? activation : Activation.None;
        // The packing below rewrites only the interior, so the zero border written here stays zero for every group.
        padded.Clear();
        for (int g = 0; g < s.Groups; g++)
        {
            for (int ci = 0; ci < cinG; ci++)
                for (int iy = 0; iy < s.InHeight; iy++)
                    ShortCopy.Floats(path, ref Unsafe.AsRef(in x[((g * cinG + ci) * s.InHeight + iy) * s.InWidth]),
                        ref Unsafe.Add(ref source, (nint)ci * paddedPlane + (nint)(iy + s.PaddingHeight) * paddedWidth + s.PaddingWidth),
                        s.InWidth);
            // Rows outer, channel tiles inner: one output row's input window (cinG x kh padded rows) stays in cache
            // while the group's weights pass once per row (GraphScratch.BlockedMaxGroupWeights keeps them near).
            bool wide = path == KernelPath.Avx2 && ow >= 8;
            for (int oy = 0; oy < oh; oy++)
            {
                ref float input = ref Unsafe.Add(ref source, (nint)oy * paddedWidth);
                for (int c = 0, tile; c < coutG; c += tile)
                {
                    // AVX2 takes 6 channels a tile (12 accumulators) but 4 where 6s would leave 1-3 channels over (a
                    // one-channel tile loads as much as it multiplies: 32 = 4 + 4 x 6 + 4), then 4, then one at a time;
                    // the 4-wide paths 4 then one at a time.
                    int left = coutG - c;
                    tile = wide && left >= WideTileChannels && !(left >= 8 && left % WideTileChannels is 1 or 2 or 3)
                        ? WideTileChannels : left >= TileChannels ? TileChannels : 1;
                    int co = g * coutG + c;
                    ref float weights = ref Unsafe.AsRef(in w[co * cinG * taps]);
                    ref float output = ref y[co * outPlane + oy * ow];
                    float b0 = Bias(bias, co), b1 = Bias(bias, co + 1), b2 = Bias(bias, co + 2), b3 = Bias(bias, co + 3);
                    if (wide)
                    {
                        if (tile == WideTileChannels)
                            Row6x16Avx2(ref input, s.KernelHeight, s.KernelWidth, s.DilationHeight * paddedWidth, s.DilationWidth,
                                cinG, paddedPlane, ref weights, bias, co, ref output, outPlane, ow, inKernel);
                        else if (tile == TileChannels)
                            Row4x16Avx2(ref input, s.KernelHeight, s.KernelWidth, s.DilationHeight * paddedWidth, s.DilationWidth,
                                cinG, paddedPlane, ref weights, b0, b1, b2, b3, ref output, outPlane, ow, inKernel);
                        else
                            Row1x16Avx2(ref input, ref offset, taps, cinG, paddedPlane, ref weights, b0, ref output, ow, inKernel);
                    }
                    else if (path is KernelPath.AdvSimd or KernelPath.AdvSimdDp && ow >= 4)
                        Row128<AdvSimdFma128>(ref input, ref offset, taps, cinG, paddedPlane, ref weights, tile, b0, b1, b2, b3,
                            ref output, outPlane, ow, inKernel);
                    else if (path != KernelPath.Scalar && ow >= 4)
                        Row128<PortableFma128>(ref input, ref offset, taps, cinG, paddedPlane, ref weights, tile, b0, b1, b2, b3,
                            ref output, outPlane, ow, inKernel);
                    else
                        RowScalar(ref input, ref offset, taps, cinG, paddedPlane, ref weights, tile, bias, co, ref output, outPlane, ow, inKernel);
                }
            }
            if (!fused)
                ConvKernels.BiasActivation(path, y.Slice(g * coutG * outPlane, coutG * outPlane), [], coutG, outPlane, activation);
        }
    }

    /// <summary>bias[channel], or 0 when there is no bias or the channel is past the end (a one-channel tile's unused lanes).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Bias(ReadOnlySpan<float> bias, int channel) => (uint)channel < (uint)bias.Length ? bias[channel] : 0f;

    /// <summary>
    /// 4 output channels (weights <c>cinG * taps</c> apart, outputs <paramref name="outPlane"/> apart) of one output row,
    /// 16 columns at a time (both vectors clamped to end at the row's end: the last ones overlap), walking the window
    /// by pointer (row step <paramref name="rowStep"/>, column step <paramref name="columnStep"/>). <c>ow</c> at least 8.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Row4x16Avx2(ref float input, int kh, int kw, nint rowStep, nint columnStep, int cinG, int paddedPlane,
        ref float w, float b0, float b1, float b2, float b3, ref float y, int outPlane, int ow, Activation activation)
    {
        const int Width = 8;
        nint channelStride = (nint)cinG * kh * kw;
        nuint last = (nuint)(ow - Width);
        ref float y1 = ref Unsafe.Add(ref y, outPlane);
        ref float y2 = ref Unsafe.Add(ref y1, outPlane);
        ref float y3 = ref Unsafe.Add(ref y2, outPlane);
        for (nuint column = 0; ; column += 2 * Width)
        {
            nuint a = Math.Min(column, last), b = Math.Min(column + Width, last);
            Vector256<float> a0 = Vector256.Create(b0), a1 = Vector256.Create(b1), a2 = Vector256.Create(b2), a3 = Vector256.Create(b3);
            Vector256<float> c0 = a0, c1 = a1, c2 = a2, c3 = a3;
            ref float w0 = ref w;
            ref float planeStart = ref input;
            for (int ci = 0; ci < cinG; ci++)
            {
                ref float row = ref planeStart;
                for (int ky = 0; ky < kh; ky++)
                {
                    ref float tap = ref row;
                    for (int kx = 0; kx < kw; kx++)
                    {
                        Vector256<float> xa = Vector256.LoadUnsafe(ref tap, a), xb = Vector256.LoadUnsafe(ref tap, b);
                        Vector256<float> weight = Vector256.Create(w0);
                        a0 = Fma.MultiplyAdd(weight, xa, a0);
                        c0 = Fma.MultiplyAdd(weight, xb, c0);
                        weight = Vector256.Create(Unsafe.Add(ref w0, channelStride));
                        a1 = Fma.MultiplyAdd(weight, xa, a1);
                        c1 = Fma.MultiplyAdd(weight, xb, c1);
                        weight = Vector256.Create(Unsafe.Add(ref w0, 2 * channelStride));
                        a2 = Fma.MultiplyAdd(weight, xa, a2);
                        c2 = Fma.MultiplyAdd(weight, xb, c2);
                        weight = Vector256.Create(Unsafe.Add(ref w0, 3 * channelStride));
                        a3 = Fma.MultiplyAdd(weight, xa, a3);
                        c3 = Fma.MultiplyAdd(weight, xb, c3);
                        w0 = ref Unsafe.Add(ref w0, 1);
                        tap = ref Unsafe.Add(ref tap, columnStep);
                    }
                    row = ref Unsafe.Add(ref row, rowStep);
                }
                planeStart = ref Unsafe.Add(ref planeStart, paddedPlane);
            }
            // The second vector first: where the two overlap (b < a + 8) both hold the same values.
            ActivationFunctions.Apply(c0, activation).StoreUnsafe(ref y, b);
            ActivationFunctions.Apply(a0, activation).StoreUnsafe(ref y, a);
            ActivationFunctions.Apply(c1, activation).StoreUnsafe(ref y1, b);
            ActivationFunctions.Apply(a1, activation).StoreUnsafe(ref y1, a);
            ActivationFunctions.Apply(c2, activation).StoreUnsafe(ref y2, b);
            ActivationFunctions.Apply(a2, activation).StoreUnsafe(ref y2, a);
            ActivationFunctions.Apply(c3, activation).StoreUnsafe(ref y3, b);
            ActivationFunctions.Apply(a3, activation).StoreUnsafe(ref y3, a);
            if (column + 2 * Width >= (nuint)ow) break;
        }
    }

    /// <summary>
    /// 6 output channels of one output row, 16 columns at a time, walking the window by pointer as
    /// <see cref="Row4x16Avx2"/> does: 8 loads a tap for 12 FMAs, where the 4-channel tile needs 6 for 8.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Row6x16Avx2(ref float input, int kh, int kw, nint rowStep, nint columnStep, int cinG, int paddedPlane,
        ref float w, ReadOnlySpan<float> bias, int firstChannel, ref float y, int outPlane, int ow, Activation activation)
    {
        const int Width = 8;
        nint channelStride = (nint)cinG * kh * kw;
        nuint last = (nuint)(ow - Width);
        for (nuint column = 0; ; column += 2 * Width)
        {
            nuint a = Math.Min(column, last), b = Math.Min(column + Width, last);
            Vector256<float> a0 = Vector256.Create(Bias(bias, firstChannel)), a1 = Vector256.Create(Bias(bias, firstChannel + 1));
            Vector256<float> a2 = Vector256.Create(Bias(bias, firstChannel + 2)), a3 = Vector256.Create(Bias(bias, firstChannel + 3));
            Vector256<float> a4 = Vector256.Create(Bias(bias, firstChannel + 4)), a5 = Vector256.Create(Bias(bias, firstChannel + 5));
            Vector256<float> c0 = a0, c1 = a1, c2 = a2, c3 = a3, c4 = a4, c5 = a5;
            ref float w0 = ref w;
            ref float planeStart = ref input;
            for (int ci = 0; ci < cinG; ci++)
            {
                ref float row = ref planeStart;
                for (int ky = 0; ky < kh; ky++)
                {
                    ref float tap = ref row;
                    for (int kx = 0; kx < kw; kx++)
                    {
                        Vector256<float> xa = Vector256.LoadUnsafe(ref tap, a), xb = Vector256.LoadUnsafe(ref tap, b);
                        Vector256<float> weight = Vector256.Create(w0);
                        a0 = Fma.MultiplyAdd(weight, xa, a0);
                        c0 = Fma.MultiplyAdd(weight, xb, c0);
                        weight = Vector256.Create(Unsafe.Add(ref w0, channelStride));
                        a1 = Fma.MultiplyAdd(weight, xa, a1);
                        c1 = Fma.MultiplyAdd(weight, xb, c1);
                        weight = Vector256.Create(Unsafe.Add(ref w0, 2 * channelStride));
                        a2 = Fma.MultiplyAdd(weight, xa, a2);
                        c2 = Fma.MultiplyAdd(weight, xb, c2);
                        weight = Vector256.Create(Unsafe.Add(ref w0, 3 * channelStride));
                        a3 = Fma.MultiplyAdd(weight, xa, a3);
                        c3 = Fma.MultiplyAdd(weight, xb, c3);
                        weight = Vector256.Create(Unsafe.Add(ref w0, 4 * channelStride));
                        a4 = Fma.MultiplyAdd(weight, xa, a4);
                        c4 = Fma.MultiplyAdd(weight, xb, c4);
                        weight = Vector256.Create(Unsafe.Add(ref w0, 5 * channelStride));
                        a5 = Fma.MultiplyAdd(weight, xa, a5);
                        c5 = Fma.MultiplyAdd(weight, xb, c5);
                        w0 = ref Unsafe.Add(ref w0, 1);
                        tap = ref Unsafe.Add(ref tap, columnStep);
                    }
                    row = ref Unsafe.Add(ref row, rowStep);
                }
                planeStart = ref Unsafe.Add(ref planeStart, paddedPlane);
            }
            // The second vector first: where the two overlap (b < a + 8) both hold the same values.
            ref float y1 = ref Unsafe.Add(ref y, outPlane);
            ref float y2 = ref Unsafe.Add(ref y1, outPlane);
            ref float y3 = ref Unsafe.Add(ref y2, outPlane);
            ref float y4 = ref Unsafe.Add(ref y3, outPlane);
            ref float y5 = ref Unsafe.Add(ref y4, outPlane);
            ActivationFunctions.Apply(c0, activation).StoreUnsafe(ref y, b);
            ActivationFunctions.Apply(a0, activation).StoreUnsafe(ref y, a);
            ActivationFunctions.Apply(c1, activation).StoreUnsafe(ref y1, b);
            ActivationFunctions.Apply(a1, activation).StoreUnsafe(ref y1, a);
            ActivationFunctions.Apply(c2, activation).StoreUnsafe(ref y2, b);
            ActivationFunctions.Apply(a2, activation).StoreUnsafe(ref y2, a);
            ActivationFunctions.Apply(c3, activation).StoreUnsafe(ref y3, b);
            ActivationFunctions.Apply(a3, activation).StoreUnsafe(ref y3, a);
            ActivationFunctions.Apply(c4, activation).StoreUnsafe(ref y4, b);
            ActivationFunctions.Apply(a4, activation).StoreUnsafe(ref y4, a);
            ActivationFunctions.Apply(c5, activation).StoreUnsafe(ref y5, b);
            ActivationFunctions.Apply(a5, activation).StoreUnsafe(ref y5, a);
            if (column + 2 * Width >= (nuint)ow) break;
        }
    }

    /// <summary>The one-channel <see cref="Row4x16Avx2"/>, for the channels a group has past its last full tile.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Row1x16Avx2(ref float input, ref nint offset, int taps, int cinG, int paddedPlane, ref float w,
        float b0, ref float y, int ow, Activation activation)
    {
        const int Width = 8;
        nuint last = (nuint)(ow - Width);
        for (nuint column = 0; ; column += 2 * Width)
        {
            nuint a = Math.Min(column, last), b = Math.Min(column + Width, last);
            Vector256<float> a0 = Vector256.Create(b0), c0 = a0;
            ref float w0 = ref w;
            ref float planeStart = ref input;
            for (int ci = 0; ci < cinG; ci++)
            {
                for (int t = 0; t < taps; t++)
                {
                    ref float tap = ref Unsafe.Add(ref planeStart, Unsafe.Add(ref offset, t));
                    Vector256<float> weight = Vector256.Create(Unsafe.Add(ref w0, t));
                    a0 = Fma.MultiplyAdd(weight, Vector256.LoadUnsafe(ref tap, a), a0);
                    c0 = Fma.MultiplyAdd(weight, Vector256.LoadUnsafe(ref tap, b), c0);
                }
                w0 = ref Unsafe.Add(ref w0, taps);
                planeStart = ref Unsafe.Add(ref planeStart, paddedPlane);
            }
            ActivationFunctions.Apply(c0, activation).StoreUnsafe(ref y, b);
            ActivationFunctions.Apply(a0, activation).StoreUnsafe(ref y, a);
            if (column + 2 * Width >= (nuint)ow) break;
        }
    }

    /// <summary>
    /// The 4-wide kernel: <paramref name="channels"/> (4 or 1) output channels of one output row, 8 columns at a time
    /// (two clamped vectors as in <see cref="Row4x16Avx2"/>); <c>ow</c> at least 4. With one channel the other three
    /// accumulators compute a copy of it and are not stored (the remainder tiles are rare and small).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Row128<TFma>(ref float input, ref nint offset, int taps, int cinG, int paddedPlane, ref float w,
        int channels, float b0, float b1, float b2, float b3, ref float y, int outPlane, int ow, Activation activation)
        where TFma : struct, IFma128
    {
        const int Width = 4;
        nint channelStride = channels == TileChannels ? (nint)cinG * taps : 0;
        nuint last = (nuint)(ow - Width);
        ref float y1 = ref Unsafe.Add(ref y, outPlane);
        ref float y2 = ref Unsafe.Add(ref y1, outPlane);
        ref float y3 = ref Unsafe.Add(ref y2, outPlane);
        for (nuint column = 0; ; column += 2 * Width)
        {
            nuint a = Math.Min(column, last), b = Math.Min(column + Width, last);
            Vector128<float> a0 = Vector128.Create(b0), a1 = Vector128.Create(b1), a2 = Vector128.Create(b2), a3 = Vector128.Create(b3);
            Vector128<float> c0 = a0, c1 = a1, c2 = a2, c3 = a3;
            ref float w0 = ref w;
            ref float planeStart = ref input;
            for (int ci = 0; ci < cinG; ci++)
            {
                for (int t = 0; t < taps; t++)
                {
                    ref float tap = ref Unsafe.Add(ref planeStart, Unsafe.Add(ref offset, t));
                    Vector128<float> xa = Vector128.LoadUnsafe(ref tap, a), xb = Vector128.LoadUnsafe(ref tap, b);
                    Vector128<float> weight = Vector128.Create(Unsafe.Add(ref w0, t));
                    a0 = TFma.MultiplyAdd(a0, weight, xa);
                    c0 = TFma.MultiplyAdd(c0, weight, xb);
                    weight = Vector128.Create(Unsafe.Add(ref w0, channelStride + t));
                    a1 = TFma.MultiplyAdd(a1, weight, xa);
                    c1 = TFma.MultiplyAdd(c1, weight, xb);
                    weight = Vector128.Create(Unsafe.Add(ref w0, 2 * channelStride + t));
                    a2 = TFma.MultiplyAdd(a2, weight, xa);
                    c2 = TFma.MultiplyAdd(c2, weight, xb);
                    weight = Vector128.Create(Unsafe.Add(ref w0, 3 * channelStride + t));
                    a3 = TFma.MultiplyAdd(a3, weight, xa);
                    c3 = TFma.MultiplyAdd(c3, weight, xb);
                }
                w0 = ref Unsafe.Add(ref w0, taps);
                planeStart = ref Unsafe.Add(ref planeStart, paddedPlane);
            }
            ActivationFunctions.Apply(c0, activation).StoreUnsafe(ref y, b);
            ActivationFunctions.Apply(a0, activation).StoreUnsafe(ref y, a);
            if (channels == TileChannels)
            {
                ActivationFunctions.Apply(c1, activation).StoreUnsafe(ref y1, b);
                ActivationFunctions.Apply(a1, activation).StoreUnsafe(ref y1, a);
                ActivationFunctions.Apply(c2, activation).StoreUnsafe(ref y2, b);
                ActivationFunctions.Apply(a2, activation).StoreUnsafe(ref y2, a);
                ActivationFunctions.Apply(c3, activation).StoreUnsafe(ref y3, b);
                ActivationFunctions.Apply(a3, activation).StoreUnsafe(ref y3, a);
            }
            if (column + 2 * Width >= (nuint)ow) break;
        }
    }

    /// <summary>
    /// The scalar reference: <paramref name="channels"/> output channels of one output row, each output summed bias
    /// first, then per input channel and tap, as the vector kernels do.
    /// </summary>
    private static void RowScalar(ref float input, ref nint offset, int taps, int cinG, int paddedPlane, ref float w,
        int channels, ReadOnlySpan<float> bias, int firstChannel, ref float y, int outPlane, int ow, Activation activation)
    {
        for (int c = 0; c < channels; c++)
        {
            float b = Bias(bias, firstChannel + c);
            ref float weights = ref Unsafe.Add(ref w, (nint)c * cinG * taps);
            ref float output = ref Unsafe.Add(ref y, (nint)c * outPlane);
            for (int ox = 0; ox < ow; ox++)
            {
                float sum = b;
                ref float w0 = ref weights;
                ref float planeStart = ref Unsafe.Add(ref input, ox);
                for (int ci = 0; ci < cinG; ci++)
                {
                    for (int t = 0; t < taps; t++)
                        sum += Unsafe.Add(ref w0, t) * Unsafe.Add(ref planeStart, Unsafe.Add(ref offset, t));
                    w0 = ref Unsafe.Add(ref w0, taps);
                    planeStart = ref Unsafe.Add(ref planeStart, paddedPlane);
                }
                Unsafe.Add(ref output, ox) = ActivationFunctions.Apply(sum, activation);
            }
        }
    }
}
