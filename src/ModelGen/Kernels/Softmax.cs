namespace ModelGen.Kernels;

/// <summary>Numerically stable row-wise softmax.</summary>
public static class Softmax
{
    /// <summary>
    /// Replaces each of the <paramref name="rows"/> rows of <paramref name="width"/> values by its softmax. The row
    /// maximum is subtracted before exponentiating, so large logits cannot overflow; a row holding NaN becomes NaN.
    /// </summary>
    public static void Rows(Span<float> values, int rows, int width)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(width);
        if (values.Length < (long)rows * width)
            throw new ArgumentException(
                $"values has {values.Length} elements; {rows} rows of {width} need {(long)rows * width}.", nameof(values));
        for (int r = 0; r < rows; r++)
            Row(values.Slice(r * width, width));
    }

    private static void Row(Span<float> row)
    {
        if (row.IsEmpty) return;
        float max = row[0];
        foreach (float v in row)
            if (v > max || float.IsNaN(v)) max = v;
        // Each exponent is <= 1, so the double sum is exact enough and cannot overflow.
        double sum = 0;
        for (int i = 0; i < row.Length; i++)
        {
            float e = MathF.Exp(row[i] - max);
            row[i] = e;
            sum += e;
        }
        float scale = (float)(1 / sum);
        for (int i = 0; i < row.Length; i++)
            row[i] *= scale;
    }
}
