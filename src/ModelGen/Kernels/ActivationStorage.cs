using ModelGen.Numerics;

namespace ModelGen.Kernels;

/// <summary>
/// 16-bit activation storage (<c>[Model(ActivationPrecision = ...)]</c>): widening stored rows to fp32 for a kernel, and
/// narrowing a kernel's fp32 output rows for the next layer, round to nearest even. Allocates nothing.
/// </summary>
public static class ActivationStorage
{
    /// <summary>
    /// Widens <paramref name="rows"/> rows of <paramref name="width"/> 16-bit values into fp32 rows of
    /// <paramref name="stride"/> values (the tail of each, e.g. an int4 layer's padding, zeroed).
    /// </summary>
    public static void Widen(ReadOnlySpan<ushort> source, Span<float> destination, int rows, int width, int stride, Precision precision)
    {
        CheckPrecision(precision);
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(width);
        if (stride < width)
            throw new ArgumentOutOfRangeException(nameof(stride), stride, $"stride must be at least width ({width}).");
        if (source.Length < (long)rows * width)
            throw new ArgumentException($"source has {source.Length} elements; rows * width = {(long)rows * width} are required.", nameof(source));
        if (destination.Length < (long)rows * stride)
            throw new ArgumentException($"destination has {destination.Length} elements; rows * stride = {(long)rows * stride} are required.", nameof(destination));

        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<ushort> from = source.Slice(r * width, width);
            Span<float> to = destination.Slice(r * stride, stride);
            if (precision == Precision.Float16)
                HalfConversion.ToSingle(from, to[..width]);
            else
                BFloat16Conversion.ToSingle(from, to[..width]);
            to[width..].Clear();
        }
    }

    /// <summary>Narrows fp32 values to 16-bit storage, round to nearest even.</summary>
    public static void Narrow(ReadOnlySpan<float> source, Span<ushort> destination, Precision precision)
    {
        CheckPrecision(precision);
        if (destination.Length < source.Length)
            throw new ArgumentException($"destination has {destination.Length} elements; {source.Length} are required.", nameof(destination));
        if (precision == Precision.Float16)
            HalfConversion.FromSingle(source, destination[..source.Length]);
        else
            BFloat16Conversion.FromSingle(source, destination[..source.Length]);
    }

    private static void CheckPrecision(Precision precision)
    {
        if (precision is not (Precision.Float16 or Precision.BFloat16))
            throw new ArgumentOutOfRangeException(nameof(precision), precision, "Activations are stored as Float16 or BFloat16.");
    }
}
