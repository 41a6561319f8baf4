using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Conv2d(KernelPath path, ReadOnlySpan<float> x, ReadOnlySpan<sbyte> w, ReadOnlySpan<float> wScales,
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
                Transpose(image, columns, shape.InChannels, positions);
            else
                ConvKernels.Im2col(image, columns, shape);
            DenseKernels.Int8(path, columns, w, wScales, bias, gemm, positions, k, cout, activation, xq, xScales);
            Transpose(gemm, y.Slice(b * outSize, outSize), positions, cout);
        }
    }

    /// <summary><c>destination[c, r] = source[r, c]</c> for a row-major <c>[rows, cols]</c> source, in cache-sized tiles.</summary>
    internal static void Transpose(ReadOnlySpan<float> source, Span<float> destination, int rows, int cols)
    {
        CheckLength(source.Length, (long)rows * cols, nameof(source), "rows * cols");
        CheckLength(destination.Length, (long)rows * cols, nameof(destination), "rows * cols");
        ref float src = ref MemoryMarshal.GetReference(source);
        ref float dst = ref MemoryMarshal.GetReference(destination);
        for (int r0 = 0; r0 < rows; r0 += Tile)
        {
            int r1 = Math.Min(r0 + Tile, rows);
            for (int c0 = 0; c0 < cols; c0 += Tile)
            {
                int c1 = Math.Min(c0 + Tile, cols);
                for (int c = c0; c < c1; c++)
                {
                    ref float column = ref Unsafe.Add(ref dst, (nint)c * rows);
                    for (int r = r0; r < r1; r++)
                        Unsafe.Add(ref column, r) = Unsafe.Add(ref src, (nint)r * cols + c);
                }
            }
        }
    }

    private static void CheckLength(int length, long required, string name, string what)
    {
        if (length < required) ThrowTooShort(length, required, name, what);
    }

    [DoesNotReturn]
    private static void ThrowTooShort(int length, long required, string name, string what) =>
        throw new ArgumentException($"{name} has {length} elements; {what} = {required} are required.", name);
}
