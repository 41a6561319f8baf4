using System.Runtime.CompilerServices;

namespace ModelGen.Kernels;

public static partial class DenseKernels
{
    /// <summary>
    /// int8 weights with per-output-channel scales and x quantized with one fixed, calibrated scale (no range pass
    /// over x); int32 accumulation; dequantize, bias and activation fused. <paramref name="xq"/> [batch, k] is scratch.
    /// </summary>
    /// <remarks>
    /// <c>xq = clamp(round-half-even(x / xScale), -127, 127)</c>, so values beyond ±127 * xScale (±Infinity included)
    /// clip to ±127; then <c>y[b, j] = act(dot(xq[b, :], w[j, :]) * xScale * wScales[j] + bias[j])</c>, the same
    /// arithmetic as <see cref="Int8"/>: with <c>xScale</c> equal to the scale <see cref="Int8"/> computes for a row,
    /// both give bit-equal outputs. A row holding NaN gets xq 0 at the NaN and NaN for every output of that row
    /// (as <see cref="Int8"/> does); other rows are unaffected. <paramref name="xScale"/> must be finite and positive;
    /// k is limited to <see cref="Int8MaxK"/> so the int32 sums cannot overflow.
    /// </remarks>
    public static void Int8Static(ReadOnlySpan<float> x, float xScale, ReadOnlySpan<sbyte> w, ReadOnlySpan<float> wScales,
        ReadOnlySpan<float> bias, Span<float> y, int batch, int k, int n, Activation activation, Span<sbyte> xq) =>
        Int8Static(KernelPaths.Best, x, xScale, w, wScales, bias, y, batch, k, n, activation, xq);

    /// <summary>The public Int8Static on <paramref name="path"/>, which must be supported; tests run every path.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Int8Static(KernelPath path, ReadOnlySpan<float> x, float xScale, ReadOnlySpan<sbyte> w,
        ReadOnlySpan<float> wScales, ReadOnlySpan<float> bias, Span<float> y, int batch, int k, int n, Activation activation,
        Span<sbyte> xq)
    {
        if (!float.IsFinite(xScale) || !(xScale > 0f))
            throw new ArgumentOutOfRangeException(nameof(xScale), xScale,
                "The activation scale must be finite and greater than 0 (calibrated threshold / 127).");
        if (k > Int8MaxK)
            throw new ArgumentOutOfRangeException(nameof(k), k,
                $"int8 kernels accumulate in int32: k must be at most {Int8MaxK}.");
        Validate(path, x, w.Length, bias, y, batch, k, n, activation);
        CheckLength(wScales.Length, n, nameof(wScales), "n");
        CheckLength(xq.Length, (long)batch * k, nameof(xq), "batch * k");

        // One scale for every row: x [batch, k] and xq are contiguous, so they quantize as one run.
        int count = batch * k;
        bool hasNaN = Int8StaticQuantizer.Quantize(path, x[..count], xq[..count], xScale);
        // Every row reads the one scale (stride 0); the int8 GEMM is the dynamic kernel's.
        RunInt8(path, new Int8Dense(xq, ref xScale, 0, w, wScales, bias, y, batch, k, n, activation));
        if (hasNaN)
            PoisonNaNRows(x, y, batch, k, n);
    }

    /// <summary>Sets every output of each x row holding NaN to NaN (rare: only after the quantizer saw a NaN).</summary>
    private static void PoisonNaNRows(ReadOnlySpan<float> x, Span<float> y, int batch, int k, int n)
    {
        for (int b = 0; b < batch; b++)
        {
            ReadOnlySpan<float> row = x.Slice(b * k, k);
            for (int i = 0; i < row.Length; i++)
            {
                if (float.IsNaN(row[i]))
                {
                    y.Slice(b * n, n).Fill(float.NaN);
                    break;
                }
            }
        }
    }
}
