using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;
using ModelGen.Graph;

namespace ModelGen.Kernels;

/// <summary>
/// An int8 convolution (one group) as an int8 GEMM, per image: im2col to <c>[P, K]</c> (P output positions, K weights
/// per output channel; for a 1x1 stride-1 unpadded kernel just the transpose of the <c>[Cin, H W]</c> plane), then
/// <see cref="DenseKernels.Int8(ReadOnlySpan{float}, ReadOnlySpan{sbyte}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, int, int, Activation, Span{sbyte}, Span{float})"/>
/// with the positions as rows (each quantized dynamically) and the weights <c>[Cout, K]</c> with per-channel scales,
/// bias and activation fused, into <c>[P, Cout]</c>; then a transpose into the NCHW output. Allocates nothing.
/// </summary>
internal static class ConvInt8
{
    /// <summary>Side of the square tiles the transposes move, so both sides stay in cache.</summary>
    private const int Tile = 16;

    /// <summary>Scratch bytes (<see cref="GraphScratch.ConvInt8GemmBytes"/>).</summary>
    public static long ScratchBytes(in Conv2dShape shape) => GraphScratch.ConvInt8GemmBytes(GraphLayout.Geometry(shape));

    /// <summary>
    /// <c>y [batch, out, oh, ow] = act(conv(x, dequantized w) + bias)</c> with <paramref name="scratch"/> laid out as
    /// <see cref="GraphScratch.ConvBytes"/> says: im2col fp32, quantized rows, row scales, GEMM output.
    /// </summary>
    public static void Conv2d(KernelPath path, ReadOnlySpan<float> x, ReadOnlySpan<sbyte> w, ReadOnlySpan<float> wScales,
        ReadOnlySpan<float> bias, Span<float> y, int batch, in Conv2dShape shape, Activation activation, Span<byte> scratch) =>
        Run(path, x, 0f, w, wScales, bias, y, batch, shape, activation, scratch);

    /// <summary>
    /// <see cref="Conv2d"/> with every im2col row quantized with the one calibrated <paramref name="xScale"/>
    /// (<see cref="DenseKernels.Int8Static(ReadOnlySpan{float}, float, ReadOnlySpan{sbyte}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, int, int, Activation, Span{sbyte})"/>:
    /// no range pass, values beyond ±127 * xScale clip); the scratch layout is the same, its row scales unused.
    /// </summary>
    public static void Conv2dStatic(KernelPath path, ReadOnlySpan<float> x, float xScale, ReadOnlySpan<sbyte> w, ReadOnlySpan<float> wScales,
        ReadOnlySpan<float> bias, Span<float> y, int batch, in Conv2dShape shape, Activation activation, Span<byte> scratch)
    {
        if (!float.IsFinite(xScale) || !(xScale > 0f))
            throw new ArgumentOutOfRangeException(nameof(xScale), xScale,
                "The activation scale must be finite and greater than 0 (calibrated threshold / 127).");
        Run(path, x, xScale, w, wScales, bias, y, batch, shape, activation, scratch);
    }

    /// <summary>The convolution of <see cref="Conv2d"/> (<paramref name="xScale"/> 0: rows quantized dynamically) and <see cref="Conv2dStatic"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Run(KernelPath path, ReadOnlySpan<float> x, float xScale, ReadOnlySpan<sbyte> w, ReadOnlySpan<float> wScales,
        ReadOnlySpan<float> bias, Span<float> y, int batch, in Conv2dShape shape, Activation activation, Span<byte> scratch)
    {
        if (shape.Problem is { } problem) throw new ArgumentException(problem, nameof(shape));
        if (shape.Groups != 1)
            throw new ArgumentException($"The int8 GEMM convolution takes one group; this one has {shape.Groups}.", nameof(shape));
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        int positions = shape.OutHeight * shape.OutWidth, k = shape.WeightsPerOutChannel, cout = shape.OutChannels;
        CheckLength(x.Length, (long)batch * shape.InputSize, nameof(x), "batch * in * h * w");
        CheckLength(w.Length, shape.WeightCount, nameof(w), "out * in * kh * kw");
        CheckLength(y.Length, (long)batch * shape.OutputSize, nameof(y), "batch * out * oh * ow");
        CheckLength(scratch.Length, ScratchBytes(shape), nameof(scratch), "GraphScratch.ConvInt8GemmBytes(shape)");
        if (y.Overlaps(x)) throw new ArgumentException("y must not overlap x.", nameof(y));
        if (MemoryMarshal.AsBytes(y).Overlaps(scratch) || MemoryMarshal.AsBytes(x).Overlaps(scratch))
            throw new ArgumentException("scratch must not overlap x or y.", nameof(scratch));

        long columnsBytes = GraphScratch.Align((long)positions * k * 4), quantizedBytes = GraphScratch.Align((long)positions * k);
        long scalesBytes = GraphScratch.Align(positions * 4L);
        Span<float> columns = MemoryMarshal.Cast<byte, float>(scratch[..(int)columnsBytes])[..(positions * k)];
        Span<sbyte> xq = MemoryMarshal.Cast<byte, sbyte>(scratch.Slice((int)columnsBytes, positions * k));
        Span<float> xScales = MemoryMarshal.Cast<byte, float>(scratch.Slice((int)(columnsBytes + quantizedBytes), positions * 4));
        Span<float> gemm = MemoryMarshal.Cast<byte, float>(
            scratch.Slice((int)(columnsBytes + quantizedBytes + scalesBytes), positions * cout * 4));
        bool pointwise = shape is { KernelHeight: 1, KernelWidth: 1, StrideHeight: 1, StrideWidth: 1, PaddingHeight: 0, PaddingWidth: 0 };

        int inSize = shape.InputSize, outSize = shape.OutputSize;
        for (int b = 0; b < batch; b++)
        {
            ReadOnlySpan<float> image = x.Slice(b * inSize, inSize);
            if (pointwise)
                Transpose(path, image, columns, shape.InChannels, positions);
            else
                ConvKernels.Im2col(image, columns, shape);
            if (xScale > 0f)
                DenseKernels.Int8Static(path, columns, xScale, w, wScales, bias, gemm, positions, k, cout, activation, xq);
            else
                DenseKernels.Int8(path, columns, w, wScales, bias, gemm, positions, k, cout, activation, xq, xScales);
            Transpose(path, gemm, y.Slice(b * outSize, outSize), positions, cout);
        }
    }

    /// <summary>
    /// <c>w[r, c] = q[r, c] * scales[r]</c> for the int8 convolutions that run on the fp32 GEMM: their weights widened
    /// into scratch on every call, so this runs once per layer per inference (MobileNetV2 widens ~0.5 M weights; the
    /// scalar loop took ~1.4 weights per ns). Every path gives the same floats: one exact conversion, one rounded product.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Dequantize(KernelPath path, ReadOnlySpan<sbyte> q, ReadOnlySpan<float> scales, int rows, int cols,
        Span<float> w)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(cols);
        CheckLength(q.Length, (long)rows * cols, nameof(q), "rows * cols");
        CheckLength(scales.Length, rows, nameof(scales), "rows");
        CheckLength(w.Length, (long)rows * cols, nameof(w), "rows * cols");
        ref sbyte qs = ref MemoryMarshal.GetReference(q);
        ref float ws = ref MemoryMarshal.GetReference(w);
        for (int r = 0; r < rows; r++)
        {
            ref sbyte qRow = ref Unsafe.Add(ref qs, (nint)r * cols);
            ref float wRow = ref Unsafe.Add(ref ws, (nint)r * cols);
            float scale = scales[r];
            int c = path switch
            {
                KernelPath.Avx2 => DequantizeAvx2(ref qRow, ref wRow, cols, scale),
                KernelPath.Scalar => 0,
                _ => Dequantize128(ref qRow, ref wRow, cols, scale),
            };
            for (; c < cols; c++)
                Unsafe.Add(ref wRow, c) = Unsafe.Add(ref qRow, c) * scale;
        }
    }

    /// <summary>Whole groups of 8; returns how many were done.</summary>
    private static int DequantizeAvx2(ref sbyte q, ref float w, int cols, float scale)
    {
        Vector256<float> s = Vector256.Create(scale);
        int c = 0;
        for (; c <= cols - 8; c += 8)
        {
            Vector128<sbyte> bytes = Vector128.CreateScalarUnsafe(Unsafe.ReadUnaligned<long>(ref Unsafe.As<sbyte, byte>(ref Unsafe.Add(ref q, c)))).AsSByte();
            (Avx.ConvertToVector256Single(Avx2.ConvertToVector256Int32(bytes)) * s).StoreUnsafe(ref w, (nuint)c);
        }
        return c;
    }

    /// <summary>Whole groups of 16 (Vector128, AdvSimd); returns how many were done.</summary>
    private static int Dequantize128(ref sbyte q, ref float w, int cols, float scale)
    {
        Vector128<float> s = Vector128.Create(scale);
        int c = 0;
        for (; c <= cols - 16; c += 16)
        {
            Vector128<sbyte> bytes = Vector128.LoadUnsafe(ref q, (nuint)c);
            (Vector128<short> lo, Vector128<short> hi) = Vector128.Widen(bytes);
            (Vector128<int> a, Vector128<int> b) = Vector128.Widen(lo);
            (Vector128<int> d, Vector128<int> e) = Vector128.Widen(hi);
            (Vector128.ConvertToSingle(a) * s).StoreUnsafe(ref w, (nuint)c);
            (Vector128.ConvertToSingle(b) * s).StoreUnsafe(ref w, (nuint)c + 4);
            (Vector128.ConvertToSingle(d) * s).StoreUnsafe(ref w, (nuint)c + 8);
            (Vector128.ConvertToSingle(e) * s).StoreUnsafe(ref w, (nuint)c + 12);
        }
        return c;
    }

    /// <summary>
    /// <c>destination[c, r] = source[r, c]</c> for a row-major <c>[rows, cols]</c> source: 8 x 8 register transposes
    /// on Avx2, 4 x 4 on the 128-bit paths, each block read and written whole rows at a time; the edges scalar.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Transpose(KernelPath path, ReadOnlySpan<float> source, Span<float> destination, int rows, int cols)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(cols);
        CheckLength(source.Length, (long)rows * cols, nameof(source), "rows * cols");
        CheckLength(destination.Length, (long)rows * cols, nameof(destination), "rows * cols");
        ref float src = ref MemoryMarshal.GetReference(source);
        ref float dst = ref MemoryMarshal.GetReference(destination);
        int block = path switch { KernelPath.Avx2 => 8, KernelPath.Scalar => 1, _ => 4 };
        // The scalar path is all edge.
        int wholeRows = block > 1 ? rows - rows % block : 0, wholeCols = block > 1 ? cols - cols % block : 0;
        if (block > 1)
        {
            // Tiles of Tile x Tile keep the written lines of the destination in cache between the source's rows.
            for (int r0 = 0; r0 < wholeRows; r0 += Tile)
            {
                int r1 = Math.Min(r0 + Tile, wholeRows);
                for (int c0 = 0; c0 < wholeCols; c0 += Tile)
                {
                    int c1 = Math.Min(c0 + Tile, wholeCols);
                    for (int r = r0; r < r1; r += block)
                        for (int c = c0; c < c1; c += block)
                        {
                            if (block == 8)
                                Transpose8x8(ref Unsafe.Add(ref src, (nint)r * cols + c), (nuint)cols,
                                    ref Unsafe.Add(ref dst, (nint)c * rows + r), (nuint)rows);
                            else
                                Transpose4x4(ref Unsafe.Add(ref src, (nint)r * cols + c), (nuint)cols,
                                    ref Unsafe.Add(ref dst, (nint)c * rows + r), (nuint)rows);
                        }
                }
            }
        }
        // Edges: the columns past the whole blocks for the whole rows, then every column of the last rows.
        TransposeScalar(ref src, ref dst, rows, cols, 0, wholeRows, wholeCols, cols);
        TransposeScalar(ref src, ref dst, rows, cols, wholeRows, rows, 0, cols);
    }

    /// <summary>The scalar transpose of the source's rows [r0, r1) and columns [c0, c1), in tiles.</summary>
    private static void TransposeScalar(ref float src, ref float dst, int rows, int cols, int r0, int r1, int c0, int c1)
    {
        for (int rt = r0; rt < r1; rt += Tile)
        {
            int re = Math.Min(rt + Tile, r1);
            for (int ct = c0; ct < c1; ct += Tile)
            {
                int ce = Math.Min(ct + Tile, c1);
                for (int c = ct; c < ce; c++)
                {
                    ref float column = ref Unsafe.Add(ref dst, (nint)c * rows);
                    for (int r = rt; r < re; r++)
                        Unsafe.Add(ref column, r) = Unsafe.Add(ref src, (nint)r * cols + c);
                }
            }
        }
    }

    private static void Transpose8x8(ref float s, nuint sStride, ref float d, nuint dStride)
    {
        Vector256<float> r0 = Vector256.LoadUnsafe(ref s), r1 = Vector256.LoadUnsafe(ref s, sStride);
        Vector256<float> r2 = Vector256.LoadUnsafe(ref s, 2 * sStride), r3 = Vector256.LoadUnsafe(ref s, 3 * sStride);
        Vector256<float> r4 = Vector256.LoadUnsafe(ref s, 4 * sStride), r5 = Vector256.LoadUnsafe(ref s, 5 * sStride);
        Vector256<float> r6 = Vector256.LoadUnsafe(ref s, 6 * sStride), r7 = Vector256.LoadUnsafe(ref s, 7 * sStride);
        Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1);
        Vector256<float> t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
        Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5);
        Vector256<float> t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);
        Vector256<float> u0 = Avx.Shuffle(t0, t2, 0x44), u1 = Avx.Shuffle(t0, t2, 0xEE);
        Vector256<float> u2 = Avx.Shuffle(t1, t3, 0x44), u3 = Avx.Shuffle(t1, t3, 0xEE);
        Vector256<float> u4 = Avx.Shuffle(t4, t6, 0x44), u5 = Avx.Shuffle(t4, t6, 0xEE);
        Vector256<float> u6 = Avx.Shuffle(t5, t7, 0x44), u7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Permute2x128(u0, u4, 0x20).StoreUnsafe(ref d);
        Avx.Permute2x128(u1, u5, 0x20).StoreUnsafe(ref d, dStride);
        Avx.Permute2x128(u2, u6, 0x20).StoreUnsafe(ref d, 2 * dStride);
        Avx.Permute2x128(u3, u7, 0x20).StoreUnsafe(ref d, 3 * dStride);
        Avx.Permute2x128(u0, u4, 0x31).StoreUnsafe(ref d, 4 * dStride);
        Avx.Permute2x128(u1, u5, 0x31).StoreUnsafe(ref d, 5 * dStride);
        Avx.Permute2x128(u2, u6, 0x31).StoreUnsafe(ref d, 6 * dStride);
        Avx.Permute2x128(u3, u7, 0x31).StoreUnsafe(ref d, 7 * dStride);
    }

    private static void Transpose4x4(ref float s, nuint sStride, ref float d, nuint dStride)
    {
        Vector128<float> r0 = Vector128.LoadUnsafe(ref s), r1 = Vector128.LoadUnsafe(ref s, sStride);
        Vector128<float> r2 = Vector128.LoadUnsafe(ref s, 2 * sStride), r3 = Vector128.LoadUnsafe(ref s, 3 * sStride);
        Vector128<float> c0, c1, c2, c3;
        if (Sse.IsSupported)
        {
            Vector128<float> t0 = Sse.UnpackLow(r0, r1), t1 = Sse.UnpackHigh(r0, r1);
            Vector128<float> t2 = Sse.UnpackLow(r2, r3), t3 = Sse.UnpackHigh(r2, r3);
            c0 = Sse.MoveLowToHigh(t0, t2); c1 = Sse.MoveHighToLow(t2, t0);
            c2 = Sse.MoveLowToHigh(t1, t3); c3 = Sse.MoveHighToLow(t3, t1);
        }
        else if (AdvSimd.Arm64.IsSupported)
        {
            Vector128<double> t0 = AdvSimd.Arm64.ZipLow(r0, r1).AsDouble(), t1 = AdvSimd.Arm64.ZipHigh(r0, r1).AsDouble();
            Vector128<double> t2 = AdvSimd.Arm64.ZipLow(r2, r3).AsDouble(), t3 = AdvSimd.Arm64.ZipHigh(r2, r3).AsDouble();
            c0 = AdvSimd.Arm64.ZipLow(t0, t2).AsSingle(); c1 = AdvSimd.Arm64.ZipHigh(t0, t2).AsSingle();
            c2 = AdvSimd.Arm64.ZipLow(t1, t3).AsSingle(); c3 = AdvSimd.Arm64.ZipHigh(t1, t3).AsSingle();
        }
        else
        {
            c0 = Vector128.Create(r0[0], r1[0], r2[0], r3[0]); c1 = Vector128.Create(r0[1], r1[1], r2[1], r3[1]);
            c2 = Vector128.Create(r0[2], r1[2], r2[2], r3[2]); c3 = Vector128.Create(r0[3], r1[3], r2[3], r3[3]);
        }
        c0.StoreUnsafe(ref d);
        c1.StoreUnsafe(ref d, dStride);
        c2.StoreUnsafe(ref d, 2 * dStride);
        c3.StoreUnsafe(ref d, 3 * dStride);
    }

    private static void CheckLength(int length, long required, string name, string what)
    {
        if (length < required) ThrowTooShort(length, required, name, what);
    }

    [DoesNotReturn]
    private static void ThrowTooShort(int length, long required, string name, string what) =>
        throw new ArgumentException($"{name} has {length} elements; {what} = {required} are required.", name);
}
