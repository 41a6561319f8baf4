namespace ModelGen.Kernels;

/// <summary>
/// Copies rows into wider, zero-padded rows: how an int4 layer whose input width is not a whole number of groups reads
/// its input (its padding weights are zero, so the result is exact). Allocates nothing.
/// </summary>
public static class RowPadding
{
    /// <summary>
    /// Writes <paramref name="rows"/> rows of <paramref name="width"/> values from <paramref name="source"/> into rows of
    /// <paramref name="paddedWidth"/> in <paramref name="destination"/>, zeroing each row's tail.
    /// </summary>
    public static void Copy(ReadOnlySpan<float> source, Span<float> destination, int rows, int width, int paddedWidth)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(width);
        if (paddedWidth < width)
            throw new ArgumentOutOfRangeException(nameof(paddedWidth), paddedWidth, $"paddedWidth must be at least width ({width}).");
        if (source.Length < (long)rows * width)
            throw new ArgumentException($"source has {source.Length} elements; rows * width = {(long)rows * width} are required.", nameof(source));
        if (destination.Length < (long)rows * paddedWidth)
            throw new ArgumentException($"destination has {destination.Length} elements; rows * paddedWidth = {(long)rows * paddedWidth} are required.", nameof(destination));
        if (destination.Overlaps(source))
            throw new ArgumentException("destination must not overlap source.", nameof(destination));

        for (int r = 0; r < rows; r++)
        {
            Span<float> row = destination.Slice(r * paddedWidth, paddedWidth);
            source.Slice(r * width, width).CopyTo(row);
            row[width..].Clear();
        }
    }
}
