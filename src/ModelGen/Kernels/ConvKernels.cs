using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using ModelGen.Graph;

namespace ModelGen.Kernels;

/// <summary>
/// 2-D convolution over NCHW fp32 tensors with PyTorch's semantics and weight layout
/// (<c>[out, in / groups, kh, kw]</c>): <c>y[b, co, oy, ox] = act(bias[co] + sum_{ci in group, ky, kx}
/// w[co, ci, ky, kx] * x[b, ci, oy s - p + ky d, ox s - p + kx d])</c>, zero outside the input.
/// Four algorithms, chosen from the shape by measurement: fewer than 8 output channels per group (depthwise, narrow
/// groups) and one input channel per group with a 3 x 3 window go to a direct kernel vectorized along the output row;
/// 3 x 3, stride 1, one-group ones with at least 16 input and output channels on planes of at least 14 x 14 to
/// Winograd F(2x2, 3x3) (<see cref="ConvWinograd"/>); other stride-1, not pointwise ones to a register-blocked direct kernel (<see cref="ConvBlocked"/>); the rest to the GEMM <c>y[out, positions] = w[out, k] * columns[k, positions]</c> per group, which writes NCHW
/// directly: a 1x1, stride 1, unpadded kernel's columns are the input planes as they are, any other's are im2col rows
/// (row (ci, ky, kx) is input plane ci shifted, strided and zero-padded) built in scratch.
/// Spans may be longer than needed; y must not overlap x, w or scratch. Allocates nothing.
/// </summary>
public static class ConvKernels
{
    /// <summary>Most kernel taps the direct kernel handles (it keeps their offsets on the stack).</summary>
    internal const int DirectMaxTaps = GraphScratch.DirectMaxTaps;

    /// <summary>
    /// <c>y [batch, out, oh, ow] = act(conv(x [batch, in, h, w], w) + bias)</c>. An empty <paramref name="bias"/>
    /// means none. <paramref name="scratch"/> needs <see cref="ScratchFloats"/> floats.
    /// </summary>
    public static void Conv2d(ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> bias, Span<float> y,
        int batch, in Conv2dShape shape, Activation activation, Span<float> scratch) =>
        Conv2d(KernelPaths.Best, ConvAlgorithm.Auto, x, w, bias, y, batch, shape, activation, scratch);

    /// <summary>
    /// Floats of scratch <see cref="Conv2d(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, in Conv2dShape, Activation, Span{float})"/>
    /// needs for <paramref name="shape"/>, independent of the batch: one padded input plane for the direct kernel, one
    /// group's padded input planes for the blocked kernel, the transformed weights, input and a block of products for
    /// the Winograd kernel, one group's im2col matrix <c>[in / groups * kh * kw, oh * ow]</c>
    /// otherwise (which a 1x1, stride 1, unpadded kernel leaves unused; the graph planner sizes scratch with the same
    /// formula, <c>GraphScratch.ConvFloat32Floats</c>).
    /// </summary>
    public static long ScratchFloats(in Conv2dShape shape) => ScratchFloats(shape, ConvAlgorithm.Auto);

    /// <summary>The public Conv2d on <paramref name="path"/>, which must be supported; tests run every path.</summary>
    internal static void Conv2d(KernelPath path, ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> bias,
        Span<float> y, int batch, in Conv2dShape shape, Activation activation, Span<float> scratch) =>
        Conv2d(path, ConvAlgorithm.Auto, x, w, bias, y, batch, shape, activation, scratch);

    internal static long ScratchFloats(in Conv2dShape shape, ConvAlgorithm algorithm)
    {
        ThrowIfInvalid(shape);
        return Choose(shape, algorithm) switch
        {
            ConvAlgorithm.Direct => ConvDirect.PlaneFloats(shape),
            ConvAlgorithm.Blocked => ConvBlocked.ScratchFloats(shape),
            ConvAlgorithm.Winograd => ConvWinograd.ScratchFloats(shape),
            _ => (long)shape.OutHeight * shape.OutWidth * shape.WeightsPerOutChannel,
        };
    }

    /// <summary>
    /// The algorithm <see cref="ConvAlgorithm.Auto"/> stands for on <paramref name="shape"/>, by the shared rule
    /// <see cref="GraphScratch.ConvFloat32Algorithm"/>. Below
    /// <see cref="GraphScratch.DirectBelowOutChannelsPerGroup"/> output channels per group it takes the direct kernel (depthwise
    /// and other narrow groups): the direct kernel reads the input once per output channel, the GEMM once per 4 (its
    /// tile) and wastes the tile's unused rows. Measured with the GEMM, AVX2, 1 image, one shared noisy machine, direct
    /// vs GEMM: depthwise 32 56x56 3x3 182 vs 676 us; groups 32, 1 -> 2 per group 262 vs 667; 2 -> 2 128 vs 281;
    /// 1 -> 4 467 vs 435; 2 -> 4 (28x28) 248 vs 269; 1 -> 8 (28x28) 248 vs 181; one group: 1 -> 4 56x56 3x3 12.2 vs
    /// 13.7; 3 -> 32 56x56 1x1 74 vs 27; 2 -> 32 56x56 3x3 177 vs 74.
    /// One input channel per group with a 3 x 3 window also goes direct whatever the output channels: its whole-plane
    /// kernel (9 weights in registers) beat the GEMM once it existed (fashion_cnn conv1 1 -> 16 28x28: 5.0-5.5 vs
    /// 7.0-7.3 us, the blocked kernel 5.3-6.0; bench conv, AVX2, same runs, medians). Other stride-1 windows that are
    /// not pointwise and have at most <see cref="GraphScratch.BlockedMaxGroupWeights"/> weights per group take
    /// <see cref="ConvAlgorithm.Blocked"/>, which skips im2col; blocked vs GEMM: fashion_cnn conv2 16 -> 32 14x14 3x3
    /// 25.2-25.4 vs 32.4-33.3 us; 32 -> 32 28x28 3x3 188-190 vs 237-264; 48 -> 48 14x14 3x3 99-100 vs 128-133; 3 -> 16 64x64
    /// 3x3 51-53 vs 74-80; 8 -> 16 24x24 5x5 54-57 vs 84-118; past the limit the GEMM wins: 64 -> 64 14x14 3x3 196 vs
    /// 212 (the only exception seen), 64 -> 64 56x56 3x3 3494-3561 vs 3139-3166, 128 -> 128 28x28 3x3 3484-3568 vs
    /// 2845-2896. Strided and pointwise (1x1 unpadded) ones keep the GEMM. Before all of these, 3 x 3 stride-1 layers
    /// with enough channels on large enough planes take <see cref="ConvAlgorithm.Winograd"/>
    /// (<see cref="GraphScratch.WinogradPays"/> lists the measurements: conv2 18.4-18.8 vs blocked 24.7-25.2 us).
    /// </summary>
    internal static ConvAlgorithm Choose(in Conv2dShape shape, ConvAlgorithm requested)
    {
        bool directFits = shape.KernelHeight * shape.KernelWidth <= DirectMaxTaps;
        if (requested == ConvAlgorithm.Direct && !directFits)
            throw new ArgumentException(
                $"The direct kernel handles at most {DirectMaxTaps} taps; this kernel has {shape.KernelHeight * shape.KernelWidth}.",
                nameof(requested));
        if (requested == ConvAlgorithm.Blocked && !ConvBlocked.Handles(shape))
            throw new ArgumentException(
                $"The blocked kernel handles stride 1 and at most {DirectMaxTaps} taps; this kernel has stride "
                + $"{shape.StrideHeight} x {shape.StrideWidth} and {shape.KernelHeight * shape.KernelWidth} taps.", nameof(requested));
        if (requested == ConvAlgorithm.Winograd && !ConvWinograd.Handles(shape))
            throw new ArgumentException(
                "The Winograd kernel handles 3 x 3 windows with stride 1, dilation 1, one group and padding 0 to 2; this one is "
                + $"{shape.KernelHeight} x {shape.KernelWidth}, stride {shape.StrideHeight} x {shape.StrideWidth}, dilation "
                + $"{shape.DilationHeight} x {shape.DilationWidth}, {shape.Groups} groups, padding {shape.PaddingHeight} x {shape.PaddingWidth}.",
                nameof(requested));
        if (requested != ConvAlgorithm.Auto) return requested;
        // The graph planner sizes scratch with the same rule (GraphScratch is shared with the generator).
        return GraphScratch.ConvFloat32Algorithm(GraphLayout.Geometry(shape));
    }

    /// <summary>Conv2d on <paramref name="path"/> with <paramref name="algorithm"/> forced (Auto chooses).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Conv2d(KernelPath path, ConvAlgorithm algorithm, ReadOnlySpan<float> x, ReadOnlySpan<float> w,
        ReadOnlySpan<float> bias, Span<float> y, int batch, in Conv2dShape shape, Activation activation, Span<float> scratch)
    {
        if (!KernelPaths.IsSupported(path))
            throw new NotSupportedException($"Kernel path {path} is not supported by this process.");
        ThrowIfInvalid(shape);
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        if ((uint)activation > (uint)Activation.Gelu)
            throw new ArgumentOutOfRangeException(nameof(activation), activation, "Unknown activation.");
        ConvAlgorithm chosen = Choose(shape, algorithm);
        CheckLength(x.Length, (long)batch * shape.InputSize, nameof(x), "batch * in * h * w");
        CheckLength(w.Length, shape.WeightCount, nameof(w), "out * in / groups * kh * kw");
        if (!bias.IsEmpty) CheckLength(bias.Length, shape.OutChannels, nameof(bias), "out (or pass an empty span for no bias)");
        CheckLength(y.Length, (long)batch * shape.OutputSize, nameof(y), "batch * out * oh * ow");
        CheckLength(scratch.Length, ScratchFloats(shape, chosen), nameof(scratch), "ScratchFloats(shape)");
        if (y.Overlaps(x) || y.Overlaps(w) || y.Overlaps(bias))
            throw new ArgumentException("y must not overlap x, w or bias.", nameof(y));
        if (scratch.Overlaps(x) || scratch.Overlaps(w) || scratch.Overlaps(y) || scratch.Overlaps(bias))
            throw new ArgumentException("scratch must not overlap x, w, bias or y.", nameof(scratch));

        int inSize = shape.InputSize, outSize = shape.OutputSize;
        for (int b = 0; b < batch; b++)
        {
            ReadOnlySpan<float> xImage = x.Slice(b * inSize, inSize);
            Span<float> yImage = y.Slice(b * outSize, outSize);
            if (chosen == ConvAlgorithm.Direct)
            {
                ConvDirect.Run(path, xImage, w, bias, yImage, shape, activation, scratch); // bias and activation included
            }
            else if (chosen == ConvAlgorithm.Winograd)
            {
                ConvWinograd.Run(path, xImage, w, bias, yImage, shape, activation, scratch); // bias and activation included
            }
            else if (chosen == ConvAlgorithm.Blocked)
            {
                ConvBlocked.Run(path, xImage, w, bias, yImage, shape, activation, scratch); // bias and activation included
            }
            else
            {
                Gemm(path, xImage, w, bias, yImage, shape, activation, scratch);
            }
        }
    }

    /// <summary>Whether the GEMM's columns are the input planes themselves: a 1x1 window on every input pixel in order.</summary>
    internal static bool IsPointwise(in Conv2dShape s) => GraphScratch.IsPointwise(GraphLayout.Geometry(s));

    /// <summary>One image, per group: <c>y[out, positions] = act(w[out, k] * columns[k, positions] + bias)</c>.</summary>
    private static void Gemm(KernelPath path, ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> bias,
        Span<float> y, in Conv2dShape s, Activation activation, Span<float> scratch)
    {
        int positions = s.OutHeight * s.OutWidth, k = s.WeightsPerOutChannel;
        int cinG = s.InChannelsPerGroup, coutG = s.OutChannelsPerGroup, plane = s.InHeight * s.InWidth;
        bool pointwise = IsPointwise(s);
        for (int g = 0; g < s.Groups; g++)
        {
            ReadOnlySpan<float> planes = x.Slice(g * cinG * plane, cinG * plane);
            ReadOnlySpan<float> columns = planes;
            if (!pointwise)
            {
                Span<float> rows = scratch[..(k * positions)];
                Im2colRows(path, planes, rows, s);
                columns = rows;
            }
            GemmKernels.Float32(path, w.Slice(g * coutG * k, coutG * k), columns,
                bias.IsEmpty ? [] : bias.Slice(g * coutG, coutG), y.Slice(g * coutG * positions, coutG * positions),
                coutG, k, positions, activation);
        }
    }

    /// <summary>
    /// Writes <c>columns[(ci kh + ky) kw + kx, oy ow + ox] = x[ci, oy s - p + ky d, ox s - p + kx d]</c> (0 in the
    /// padding) for the group's channels: the k order of the weights, so weight row times this matrix is the output
    /// plane. Each row is input plane ci shifted by the tap: per output row a contiguous copy (stride 1) or a strided
    /// gather (stride 2 vectorized on <paramref name="path"/>: the even elements of 2 vectors of input), with zeros
    /// written only where the window leaves the input. Pure data movement: every path writes the same bits.
    /// </summary>
    internal static void Im2colRows(KernelPath path, ReadOnlySpan<float> x, Span<float> columns, in Conv2dShape s)
    {
        int oh = s.OutHeight, ow = s.OutWidth, h = s.InHeight, wIn = s.InWidth, positions = oh * ow;
        int kh = s.KernelHeight, kw = s.KernelWidth, sx = s.StrideWidth;
        int row = 0;
        for (int ci = 0; ci < s.InChannelsPerGroup; ci++)
            for (int ky = 0; ky < kh; ky++)
                for (int kx = 0; kx < kw; kx++, row++)
                {
                    // Output columns [from, to) read inside the input: ix = ox sx + shift in [0, wIn).
                    int shift = kx * s.DilationWidth - s.PaddingWidth;
                    int from = shift >= 0 ? 0 : Math.Min(ow, (-shift + sx - 1) / sx);
                    int to = wIn - 1 - shift < 0 ? 0 : Math.Min(ow, (wIn - 1 - shift) / sx + 1);
                    if (to < from) to = from;
                    Span<float> destination = columns.Slice(row * positions, positions);
                    ref float target0 = ref MemoryMarshal.GetReference(destination);
                    if (s.StrideHeight == 1 && sx == 1 && ow == wIn)
                    {
                        ShiftedPlane(x.Slice(ci * h * wIn, h * wIn), destination, s, ky, shift, from, to);
                        continue;
                    }
                    for (int oy = 0; oy < oh; oy++)
                    {
                        ref float target = ref Unsafe.Add(ref target0, (nint)oy * ow);
                        int iy = oy * s.StrideHeight - s.PaddingHeight + ky * s.DilationHeight;
                        if ((uint)iy >= (uint)h)
                        {
                            destination.Slice(oy * ow, ow).Clear();
                            continue;
                        }
                        // The padding columns are few (at most the padding): plain stores beat a span clear's setup.
                        for (int j = 0; j < from; j++) Unsafe.Add(ref target, j) = 0f;
                        for (int j = to; j < ow; j++) Unsafe.Add(ref target, j) = 0f;
                        ref float source = ref MemoryMarshal.GetReference(x.Slice((ci * h + iy) * wIn, wIn));
                        if (sx == 1)
                        {
                            ShortCopy.Floats(path, ref Unsafe.Add(ref source, from + shift), ref Unsafe.Add(ref target, from), to - from);
                            continue;
                        }
                        int ox = from;
                        if (sx == 2) ox = GatherStride2(path, ref source, wIn, shift, ref target, from, to);
                        for (; ox < to; ox++)
                            Unsafe.Add(ref target, ox) = Unsafe.Add(ref source, ox * sx + shift);
                    }
                }
    }

    /// <summary>
    /// One im2col row of a stride-1 kernel whose output rows are as wide as the input's ("same" padding): the row is
    /// then input plane <paramref name="plane"/> shifted as a whole, <c>row[t] = plane[start + t]</c> over the output
    /// rows that stay inside the input, so it is one copy (clipped to the plane) and then zeros in the padding columns
    /// (<c>[0, from)</c> and <c>[to, ow)</c> of each row: every element the clipped copy left out is one of them).
    /// Replaces a short copy per output row (fashion_cnn conv2, 14 floats each).
    /// </summary>
    private static void ShiftedPlane(ReadOnlySpan<float> plane, Span<float> row, in Conv2dShape s, int ky, int shift,
        int from, int to)
    {
        int oh = s.OutHeight, ow = s.OutWidth, h = s.InHeight;
        int rowShift = ky * s.DilationHeight - s.PaddingHeight; // iy = oy + rowShift
        int oy0 = Math.Clamp(-rowShift, 0, oh), oy1 = Math.Clamp(h - rowShift, oy0, oh);
        row[..(oy0 * ow)].Clear();
        row[(oy1 * ow)..].Clear();
        int length = (oy1 - oy0) * ow, start = (oy0 + rowShift) * ow + shift;
        int first = Math.Max(0, -start), end = Math.Min(length, plane.Length - start);
        if (end > first)
            plane.Slice(start + first, end - first).CopyTo(row.Slice(oy0 * ow + first, end - first));
        ref float target = ref MemoryMarshal.GetReference(row);
        for (int oy = oy0; oy < oy1; oy++)
        {
            ref float output = ref Unsafe.Add(ref target, (nint)oy * ow);
            for (int j = 0; j < from; j++) Unsafe.Add(ref output, j) = 0f;
            for (int j = to; j < ow; j++) Unsafe.Add(ref output, j) = 0f;
        }
    }

    /// <summary>
    /// <c>target[ox] = source[2 ox + shift]</c> for ox from <paramref name="from"/> while whole vectors fit: a vector
    /// of outputs is the even elements of two vectors of input, loaded only where both lie inside the row
    /// <c>source[0, width)</c>. Returns the first ox left for the scalar loop (at most <paramref name="to"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int GatherStride2(KernelPath path, ref float source, int width, int shift, ref float target, int from, int to)
    {
        int ox = from;
        if (path == KernelPath.Avx2)
        {
            for (; ox + 8 <= to && 2 * ox + shift + 16 <= width; ox += 8)
            {
                nuint at = (nuint)(2 * ox + shift);
                Deinterleave.Split(Vector256.LoadUnsafe(ref source, at), Vector256.LoadUnsafe(ref source, at + 8),
                    out Vector256<float> even, out _);
                even.StoreUnsafe(ref target, (nuint)ox);
            }
        }
        if (path != KernelPath.Scalar)
        {
            for (; ox + 4 <= to && 2 * ox + shift + 8 <= width; ox += 4)
            {
                nuint at = (nuint)(2 * ox + shift);
                Deinterleave.Split(Vector128.LoadUnsafe(ref source, at), Vector128.LoadUnsafe(ref source, at + 4),
                    out Vector128<float> even, out _);
                even.StoreUnsafe(ref target, (nuint)ox);
            }
        }
        return ox;
    }

    /// <summary>
    /// Writes <c>columns[p, (ci kh + ky) kw + kx] = x[ci, oy s - p + ky d, ox s - p + kx d]</c> (0 in the padding) for
    /// the group's channels: the k order of the weights, so row p dotted with a weight row is output position p.
    /// Position-major, for the int8 GEMM (<see cref="ConvInt8"/>), whose rows are positions; the writes are sequential (k-major writes strided by k were 3x slower on a 1x1 24 -> 144
    /// 56x56 layer); the reads run along input rows, one stream per (ci, ky).
    /// </summary>
    internal static void Im2col(ReadOnlySpan<float> x, Span<float> columns, in Conv2dShape s)
    {
        int oh = s.OutHeight, ow = s.OutWidth, h = s.InHeight, wIn = s.InWidth;
        int kh = s.KernelHeight, kw = s.KernelWidth, cinG = s.InChannelsPerGroup;
        ref float dst = ref MemoryMarshal.GetReference(columns);
        ref float src = ref MemoryMarshal.GetReference(x);
        nint d = 0;
        for (int oy = 0; oy < oh; oy++)
            for (int ox = 0; ox < ow; ox++)
            {
                int ix0 = ox * s.StrideWidth - s.PaddingWidth;
                for (int ci = 0; ci < cinG; ci++)
                    for (int ky = 0; ky < kh; ky++)
                    {
                        int iy = oy * s.StrideHeight - s.PaddingHeight + ky * s.DilationHeight;
                        if ((uint)iy >= (uint)h)
                        {
                            for (int kx = 0; kx < kw; kx++) Unsafe.Add(ref dst, d++) = 0f;
                            continue;
                        }
                        // Indexed from the row start: a ref to x[.., ix < 0] would point outside the array.
                        ref float row = ref Unsafe.Add(ref src, ((nint)ci * h + iy) * wIn);
                        for (int kx = 0, ix = ix0; kx < kw; kx++, ix += s.DilationWidth)
                            Unsafe.Add(ref dst, d++) = (uint)ix < (uint)wIn ? Unsafe.Add(ref row, ix) : 0f;
                    }
            }
    }

    /// <summary>
    /// Adds the per-channel bias (when given) and applies the activation in place over <c>[channels, positions]</c>,
    /// with the same scalar <see cref="ActivationFunctions.Apply(float, Activation)"/> on every path, so paths differ
    /// only by the sums' rounding.
    /// </summary>
    internal static void BiasActivation(KernelPath path, Span<float> y, ReadOnlySpan<float> bias, int channels, int positions,
        Activation activation)
    {
        if (bias.IsEmpty && activation == Activation.None) return;
        // The vector activations are bit-equal to the scalar one only for the piecewise-linear functions.
        bool vector = path != KernelPath.Scalar && activation is Activation.None or Activation.Relu or Activation.Relu6;
        for (int c = 0; c < channels; c++)
        {
            float add = bias.IsEmpty ? 0f : bias[c];
            ref float row = ref MemoryMarshal.GetReference(y.Slice(c * positions, positions));
            nuint n = (nuint)positions, i = 0;
            if (vector && path == KernelPath.Avx2)
            {
                Vector256<float> add8 = Vector256.Create(add);
                for (; i + 8 <= n; i += 8)
                    ActivationFunctions.Apply(Vector256.LoadUnsafe(ref row, i) + add8, activation).StoreUnsafe(ref row, i);
            }
            else if (vector)
            {
                Vector128<float> add4 = Vector128.Create(add);
                for (; i + 4 <= n; i += 4)
                    ActivationFunctions.Apply(Vector128.LoadUnsafe(ref row, i) + add4, activation).StoreUnsafe(ref row, i);
            }
            for (; i < n; i++)
                Unsafe.Add(ref row, i) = ActivationFunctions.Apply(Unsafe.Add(ref row, i) + add, activation);
        }
    }

    private static void ThrowIfInvalid(in Conv2dShape shape)
    {
        if (shape.Problem is { } problem) throw new ArgumentException(problem, nameof(shape));
    }

    private static void CheckLength(int length, long required, string name, string what)
    {
        if (length < required) ThrowTooShort(length, required, name, what);
    }

    [DoesNotReturn]
    private static void ThrowTooShort(int length, long required, string name, string what) =>
        throw new ArgumentException($"{name} has {length} elements; {what} = {required} are required.", name);
}
