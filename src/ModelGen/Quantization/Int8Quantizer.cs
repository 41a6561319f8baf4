using ModelGen.Kernels;
using ModelGen.Numerics;

namespace ModelGen.Quantization;

/// <summary>
/// Symmetric per-row (per output channel) int8 quantization of a row-major weight matrix:
/// <c>scale = max|row| / 127</c>, <c>q = round_to_nearest_even(w / scale)</c> clamped to [-127, 127], so that
/// <c>w ~= q * scale</c> with an error of at most <c>scale / 2</c>. -128 is never produced, which keeps the range
/// symmetric and lets int8 kernels negate or widen values without saturating.
/// </summary>
public static class Int8Quantizer
{
    /// <summary>The largest quantized magnitude.</summary>
    public const int MaxQuantized = 127;

    /// <summary>
    /// Quantizes <paramref name="rows"/> rows of <paramref name="cols"/> weights into <paramref name="q"/> and one
    /// scale per row into <paramref name="scales"/>. A row of zeros (or of values so small that the scale underflows)
    /// gets scale 0 and zeros. NaN or infinite weights throw <see cref="ModelFormatException"/> naming the row.
    /// </summary>
    public static void QuantizeRows(ReadOnlySpan<float> w, int rows, int cols, Span<sbyte> q, Span<float> scales) =>
        QuantizeRows(w, rows, cols, q, scales, "weights", 0);

    /// <summary>Reconstructs <c>q * scale</c> per row: the values the int8 weights stand for.</summary>
    public static void DequantizeRows(ReadOnlySpan<sbyte> q, ReadOnlySpan<float> scales, int rows, int cols, Span<float> w)
    {
        CheckShape(rows, cols, q.Length, scales.Length, w.Length);
        Kernels.ConvInt8.Dequantize(Kernels.KernelPaths.Best, q, scales, rows, cols, w); // vectorized, same products
    }

    /// <summary>
    /// As the public overload; errors name <paramref name="tensorName"/> and count rows from <paramref name="firstRow"/>,
    /// so a tensor quantized in chunks of rows reports its own row numbers.
    /// </summary>
    internal static void QuantizeRows(ReadOnlySpan<float> w, int rows, int cols, Span<sbyte> q, Span<float> scales,
        string tensorName, long firstRow)
    {
        CheckShape(rows, cols, w.Length, scales.Length, q.Length);
        CheckFinite(w, cols, tensorName, firstRow);
        // The same arithmetic (and SIMD path) as the kernels' activation quantizer: one definition of int8 rounding.
        Int8RowQuantizer.QuantizeRows(KernelPaths.Best, w, q, scales, rows, cols);
    }

    private static void CheckFinite(ReadOnlySpan<float> w, int cols, string tensorName, long firstRow)
    {
        for (int i = 0; i < w.Length; i++)
        {
            if (!float.IsFinite(w[i]))
            {
                throw new ModelFormatException(
                    $"Cannot quantize '{tensorName}': row {firstRow + (i / cols)}, column {i % cols} holds {FloatFormat.Describe(w[i])}, not a finite number.");
            }
        }
    }

    private static void CheckShape(int rows, int cols, int valuesLength, int scalesLength, int outputLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(cols);
        long count = (long)rows * cols;
        if (valuesLength != count || outputLength != count || scalesLength != rows)
        {
            throw new ArgumentException(
                $"A {rows} x {cols} matrix needs {count} values, {count} outputs and {rows} scales; got {valuesLength}, {outputLength} and {scalesLength}.");
        }
    }
}
