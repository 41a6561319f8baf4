namespace ModelGen.Quantization;

/// <summary>
/// Structured (neuron) pruning of a dense layer: keeps the output rows with the largest norm, in their original order,
/// and drops the matching input columns of the next layer, so both become smaller dense layers.
/// </summary>
public static class ChannelPruning
{
    /// <summary>
    /// The <paramref name="keep"/> rows of <paramref name="w"/> [rows, cols] with the largest <paramref name="norm"/>,
    /// measured over the columns in <paramref name="columns"/> (all when null), as ascending row indices. Ties keep the
    /// lower index.
    /// </summary>
    public static int[] Select(ReadOnlySpan<float> w, int rows, int cols, int[]? columns, int keep, ChannelNorm norm)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(cols);
        if (keep < 1 || keep > rows)
            throw new ArgumentOutOfRangeException(nameof(keep), keep, $"keep must be between 1 and the {rows} rows.");
        if (w.Length < (long)rows * cols)
            throw new ArgumentException($"w has {w.Length} elements; rows * cols = {(long)rows * cols} are required.", nameof(w));

        var scores = new double[rows];
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> row = w.Slice(r * cols, cols);
            double sum = 0;
            if (columns is null)
            {
                foreach (float v in row) sum += Score(v, norm);
            }
            else
            {
                foreach (int c in columns) sum += Score(row[c], norm);
            }

            scores[r] = sum;
        }

        int[] order = new int[rows];
        for (int i = 0; i < rows; i++) order[i] = i;
        // Largest score first; equal scores by lower index, so the choice is deterministic.
        Array.Sort(order, (a, b) => scores[a] != scores[b] ? scores[b].CompareTo(scores[a]) : a.CompareTo(b));
        int[] kept = order[..keep];
        Array.Sort(kept);
        return kept;
    }

    /// <summary>
    /// Copies rows <paramref name="rows"/> (all when null) and columns <paramref name="columns"/> (all when null) of
    /// <paramref name="w"/> (row length <paramref name="cols"/>) into <paramref name="destination"/> [n, k].
    /// </summary>
    public static void Gather(ReadOnlySpan<float> w, int cols, int[]? rows, int[]? columns, Span<float> destination, int n, int k)
    {
        for (int j = 0; j < n; j++)
        {
            ReadOnlySpan<float> source = w.Slice((rows is null ? j : rows[j]) * cols, cols);
            Span<float> target = destination.Slice(j * k, k);
            if (columns is null)
            {
                source[..k].CopyTo(target);
            }
            else
            {
                for (int c = 0; c < k; c++) target[c] = source[columns[c]];
            }
        }
    }

    private static double Score(float v, ChannelNorm norm) => norm == ChannelNorm.L1 ? Math.Abs(v) : (double)v * v;
}
