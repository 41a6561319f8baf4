namespace ModelGen.Kernels;

/// <summary>Normalization layers over fp32 rows. (BatchNorm in eval mode is folded into the preceding convolution at
/// load time: see <see cref="Quantization.BatchNormFolding"/>.)</summary>
public static class NormKernels
{
    /// <summary>
    /// PyTorch <c>LayerNorm(width, eps)</c> over the last dimension: for each of <paramref name="rows"/> rows,
    /// <c>y = (x - mean) / sqrt(var + eps) * gamma + beta</c> with the biased variance. Mean and variance are computed
    /// in double in two passes, so a constant row has variance exactly 0 and gives <c>beta</c>. Empty
    /// <paramref name="gamma"/> / <paramref name="beta"/> mean PyTorch's <c>elementwise_affine=False</c> (1 and 0).
    /// <paramref name="y"/> may be <paramref name="x"/> itself (in place), but must not overlap it otherwise.
    /// </summary>
    public static void LayerNorm(ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, Span<float> y,
        int rows, int width, float epsilon)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        if (!(epsilon >= 0) || float.IsPositiveInfinity(epsilon))
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "Epsilon must be finite and not negative.");
        long total = (long)rows * width;
        if (x.Length < total)
            throw new ArgumentException($"x has {x.Length} elements; rows * width = {total} are required.", nameof(x));
        if (y.Length < total)
            throw new ArgumentException($"y has {y.Length} elements; rows * width = {total} are required.", nameof(y));
        if (!gamma.IsEmpty && gamma.Length < width)
            throw new ArgumentException($"gamma has {gamma.Length} elements; width = {width} are required (or pass an empty span).", nameof(gamma));
        if (!beta.IsEmpty && beta.Length < width)
            throw new ArgumentException($"beta has {beta.Length} elements; width = {width} are required (or pass an empty span).", nameof(beta));
        if (y.Overlaps(x, out int offset) && offset != 0)
            throw new ArgumentException("y must be x itself or not overlap it.", nameof(y));

        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> row = x.Slice(r * width, width);
            double sum = 0;
            foreach (float v in row) sum += v;
            double mean = sum / width;
            double squares = 0;
            foreach (float v in row)
            {
                double d = v - mean;
                squares += d * d;
            }
            double inverse = 1 / Math.Sqrt(squares / width + epsilon);
            Span<float> output = y.Slice(r * width, width);
            for (int i = 0; i < width; i++)
            {
                double normalized = (row[i] - mean) * inverse;
                if (!gamma.IsEmpty) normalized *= gamma[i];
                if (!beta.IsEmpty) normalized += beta[i];
                output[i] = (float)normalized;
            }
        }
    }
}
