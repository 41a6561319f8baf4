using System.Runtime.CompilerServices;
using ModelGen.Quantization;

namespace ModelGen.Kernels;

public static partial class DenseKernels
{
    /// <summary>
    /// Block-quantized int4 weights (<see cref="Int4Quantizer"/>'s format: <paramref name="w"/> [n, k / 2] packed
    /// nibbles, <paramref name="scales"/> and <paramref name="mins"/> [n, k / groupSize] fp16 bits, <paramref name="mins"/>
    /// empty for symmetric). x is quantized to int8 per block of <paramref name="groupSize"/> values into
    /// <paramref name="xq"/> [batch, k] and <paramref name="xScales"/> [batch, k / groupSize]; every block is an exact
    /// integer dot product, scaled once (llama.cpp's Q4_0 x Q8_0).
    /// </summary>
    /// <remarks>
    /// <para>Measured on a 4096 x 4096 group-32 GEMV from memory (AVX2, shared 2-core EPYC, noisy) this int8-activation
    /// form took 2.5-3.9 ms against 6.1-7.9 ms for dequantizing the weights to fp32 in registers and multiplying with
    /// fp32 x (bench <c>Int4DequantGemv</c>, same runs): per 32 weights it needs about 8 integer operations where the
    /// fp32 form needs 4 widenings, 4 conversions and 4 FMAs. The AVX2 kernel now takes 0.66-0.68 ms against 0.56-0.63
    /// ms for the int8 GEMV (same runs): still compute-bound, at about half the streaming-read rate, where int8 is
    /// memory-bound (see <c>DenseInt4Avx2</c>'s remarks and the bench's <c>gemv4096.int4_vs_int8</c> line). On small,
    /// cache-resident layers (<c>bench/run int4-small</c>: the sample's 784 -> 256 padded to whole groups) int4 is still
    /// ~3-4x slower than int8 at batch 1 and ~3x at batch 64: every block of 32 to 128 products costs an int16/int32
    /// reduction and its share of the float scaling, which int8's one scale per row does not pay.</para>
    /// <para>Each block of x gets <c>xScale = max|x_block| / 127</c> and <c>xq = round-half-even(x / xScale)</c> (the
    /// rule of <see cref="Int8"/>, per block). Block g then contributes <c>(dot - 8 xSum) * (xScale * scale)</c>
    /// (symmetric) or <c>dot * (xScale * scale) + xSum * (xScale * min)</c> (asymmetric) with dot = sum xq * nibble and
    /// xSum = sum xq exact int32, to float partial sum g mod 8; y = act(((p0 + p1) + (p2 + p3)) + ((p4 + p5) + (p6 +
    /// p7)) + bias) over the 8 partial sums. Every path performs these float operations in this order, so all paths give
    /// bit-equal outputs.</para>
    /// <para>A block of x that is all zeros has scale 0 and adds 0; one holding NaN or ±Infinity has scale NaN, so that
    /// row's outputs are NaN. The contents of <paramref name="xq"/> after the call are unspecified (SIMD paths reorder
    /// it for their loads).</para>
    /// </remarks>
    public static void Int4(ReadOnlySpan<float> x, ReadOnlySpan<byte> w, ReadOnlySpan<ushort> scales, ReadOnlySpan<ushort> mins,
        ReadOnlySpan<float> bias, Span<float> y, int batch, int k, int n, int groupSize, Activation activation,
        Span<sbyte> xq, Span<float> xScales) =>
        Int4(KernelPaths.Best, x, w, scales, mins, bias, y, batch, k, n, groupSize, activation, xq, xScales);

    /// <summary>The public Int4 on <paramref name="path"/>, which must be supported; tests run every path.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Int4(KernelPath path, ReadOnlySpan<float> x, ReadOnlySpan<byte> w, ReadOnlySpan<ushort> scales,
        ReadOnlySpan<ushort> mins, ReadOnlySpan<float> bias, Span<float> y, int batch, int k, int n, int groupSize,
        Activation activation, Span<sbyte> xq, Span<float> xScales)
    {
        if (!Int4Quantizer.IsSupportedGroupSize(groupSize))
            throw new ArgumentException($"groupSize is {groupSize}; int4 blocks hold 32, 64 or 128 values.", nameof(groupSize));
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        if (k % groupSize != 0)
            throw new ArgumentException($"k = {k} is not a multiple of groupSize = {groupSize}: every int4 block must be whole.", nameof(k));
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        CheckLength(w.Length, (long)n * k / 2, nameof(w), "n * k / 2 bytes");
        // Validate checks w against n * k values: two per byte, already checked above.
        Validate(path, x, (int)Math.Min(int.MaxValue, 2L * w.Length), bias, y, batch, k, n, activation);
        long blocks = (long)n * (k / groupSize);
        CheckLength(scales.Length, blocks, nameof(scales), "n * k / groupSize");
        if (!mins.IsEmpty) CheckLength(mins.Length, blocks, nameof(mins), "n * k / groupSize (or pass an empty span: symmetric)");
        CheckLength(xq.Length, (long)batch * k, nameof(xq), "batch * k");
        CheckLength(xScales.Length, (long)batch * (k / groupSize), nameof(xScales), "batch * k / groupSize");

        // x [batch, k] is batch * k / groupSize contiguous blocks: quantize each as a row of its own.
        Int8RowQuantizer.QuantizeRows(path, x, xq, xScales, batch * (k / groupSize), groupSize);
        var a = new Int4Dense(xq, xScales, w, scales, mins, bias, y, batch, k, n, groupSize, activation);
        switch (path)
        {
            case KernelPath.Avx2: DenseInt4Avx2.Run(in a); break;
            case KernelPath.Vector128: DenseInt4128.Run<PortableInt8Dot128>(in a); break;
            case KernelPath.AdvSimd: DenseInt4128.Run<AdvSimdInt8Dot128>(in a); break;
            case KernelPath.AdvSimdDp: DenseInt4128.Run<AdvSimdDpInt8Dot128>(in a); break;
            default: DenseInt4Scalar.Run(in a); break;
        }
    }
}
