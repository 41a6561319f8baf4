using ModelGen.Numerics;

namespace ModelGen.Quantization;

/// <summary>
/// Non-uniform (codebook, "weight sharing") quantization of a row-major weight matrix W [n, k]: every weight becomes
/// the index of one of 16 or 256 shared values, the codebook (IEEE fp16 bits), either one per output row or one for
/// the whole tensor. The codebook is fitted by one-dimensional k-means, which puts more levels where the weights are
/// dense (a trained layer's bell-shaped weights) than a uniform grid does.
/// </summary>
/// <remarks>
/// Layout: 16 centroids store 4-bit indices, two per byte, <see cref="IndexBytesPerRow"/> = (k + 1) / 2 bytes per row,
/// element 2i in the low nibble (an odd row's last high nibble is 0); 256 centroids store one byte per element.
/// The codebook is [perRow ? n : 1, centroids] fp16 bits.
/// <para>
/// The fit is deterministic, the same on every machine and path: the group's values are sorted and merged into
/// distinct values with counts; a group with at most <c>centroids</c> distinct values gets exactly those values
/// (exact whenever they are fp16-representable); otherwise Lloyd's k-means in one dimension starts from blended
/// quantiles (half the data's distribution, half a uniform grid over [min, max], so that tails get levels), assigns by
/// the midpoints between sorted centroids (ties to the lower centroid), sets each centroid to its cluster's mean from
/// double prefix sums, and hands an empty cluster's centroid to the far end of the cluster with the largest squared
/// error, until nothing changes or <see cref="MaxIterations"/>.
/// Centroids are then rounded to fp16 and every weight takes the nearest rounded centroid (ties to the lower index).
/// Unused codebook entries (fewer distinct values than centroids) are +0.
/// </para>
/// </remarks>
public static class CodebookQuantizer
{
    /// <summary>The Lloyd iteration cap; 1-D k-means from quantiles typically settles in a few dozen.</summary>
    public const int MaxIterations = 100;

    /// <summary>Bytes of indices per weight row: (k + 1) / 2 for 16 centroids, k for 256.</summary>
    public static int IndexBytesPerRow(int k, int centroids)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        CheckCentroids(centroids);
        return centroids == 16 ? (int)(((long)k + 1) / 2) : k;
    }

    /// <summary>
    /// Fits the codebook(s) of <paramref name="w"/> (fp32 [n, k]) and writes each weight's index to
    /// <paramref name="indices"/> ([n, <see cref="IndexBytesPerRow"/>] bytes) and the codebook fp16 bits to
    /// <paramref name="codebook"/> ([perRow ? n : 1, centroids]). Spans may be longer than needed.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// Centroids not 16 or 256, a span too short, a NaN or infinite weight (named by tensor, row and column), or a
    /// centroid beyond the fp16 range.
    /// </exception>
    public static void Quantize(ReadOnlySpan<float> w, int n, int k, int centroids, bool perRow,
        Span<byte> indices, Span<ushort> codebook, string tensorName = "weight")
    {
        ArgumentNullException.ThrowIfNull(tensorName);
        int rowBytes = CheckShape(n, k, centroids, perRow, w.Length, indices.Length, codebook.Length, nameof(w));
        for (int i = 0; i < (long)n * k; i++)
        {
            if (!float.IsFinite(w[i]))
            {
                throw new ArgumentException(
                    $"Cannot quantize '{tensorName}': [{i / k}, {i % k}] holds {FloatFormat.Describe(w[i])}, not a finite number.",
                    nameof(w));
            }
        }

        int groups = perRow ? n : 1;
        int groupSize = perRow ? k : n * k;
        var fit = new KMeans1D(groupSize, centroids);
        Span<float> levels = stackalloc float[centroids];
        for (int g = 0; g < groups; g++)
        {
            ReadOnlySpan<float> values = w.Slice(g * groupSize, groupSize);
            Span<ushort> book = codebook.Slice(g * centroids, centroids);
            int used = fit.Fit(values, levels);
            book.Clear();
            for (int c = 0; c < used; c++)
            {
                book[c] = HalfConversion.FromSingle(levels[c]);
                if (!HalfConversion.IsFinite(book[c]))
                {
                    throw new ArgumentException(
                        $"Cannot quantize '{tensorName}'{(perRow ? $" row {g}" : "")}: centroid {FloatFormat.Describe(levels[c])} is beyond the fp16 codebook's range (65504).",
                        nameof(w));
                }

                // The weights are assigned to the values the kernels will read.
                levels[c] = HalfConversion.ToSingle(book[c]);
            }

            int firstRow = perRow ? g : 0, rows = perRow ? 1 : n;
            for (int r = 0; r < rows; r++)
            {
                ReadOnlySpan<float> row = w.Slice((firstRow + r) * k, k);
                Span<byte> rowIndices = indices.Slice((firstRow + r) * rowBytes, rowBytes);
                if (centroids == 16) rowIndices.Clear();
                for (int i = 0; i < k; i++)
                {
                    int index = Nearest(levels[..used], row[i]);
                    if (centroids == 256)
                        rowIndices[i] = (byte)index;
                    else
                        rowIndices[i >> 1] |= (byte)(index << ((i & 1) * 4));
                }
            }
        }
    }

    /// <summary>Writes the weights the indices and codebook stand for to <paramref name="w"/> (fp32 [n, k]).</summary>
    public static void Dequantize(ReadOnlySpan<byte> indices, ReadOnlySpan<ushort> codebook, int n, int k, int centroids,
        bool perRow, Span<float> w)
    {
        int rowBytes = CheckShape(n, k, centroids, perRow, w.Length, indices.Length, codebook.Length, nameof(w));
        for (int r = 0; r < n; r++)
        {
            ReadOnlySpan<ushort> book = codebook.Slice(perRow ? r * centroids : 0, centroids);
            ReadOnlySpan<byte> rowIndices = indices.Slice(r * rowBytes, rowBytes);
            for (int i = 0; i < k; i++)
            {
                int index = centroids == 256 ? rowIndices[i] : (rowIndices[i >> 1] >> ((i & 1) * 4)) & 0xF;
                w[r * k + i] = HalfConversion.ToSingle(book[index]);
            }
        }
    }

    /// <summary>The index of the value nearest <paramref name="value"/> in ascending <paramref name="levels"/>; ties to the lower.</summary>
    private static int Nearest(ReadOnlySpan<float> levels, float value)
    {
        int lo = 0, hi = levels.Length; // first level >= value, by binary search
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (levels[mid] < value) lo = mid + 1;
            else hi = mid;
        }

        if (lo == levels.Length) return lo - 1;
        if (lo == 0) return 0;
        // Rounded levels may repeat: the first of equal values keeps the choice stable.
        int below = lo - 1;
        while (below > 0 && levels[below - 1] == levels[below]) below--;
        return (double)value - levels[below] <= (double)levels[lo] - value ? below : lo;
    }

    internal static void CheckCentroids(int centroids)
    {
        if (centroids is not (16 or 256))
        {
            throw new ArgumentOutOfRangeException(nameof(centroids), centroids,
                "Codebooks have 16 centroids (4-bit indices) or 256 (8-bit indices).");
        }
    }

    /// <summary>Checks the shape and span lengths; returns the index bytes per row.</summary>
    private static int CheckShape(int n, int k, int centroids, bool perRow, int weightsLength, int indicesLength,
        int codebookLength, string weightsName)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        int rowBytes = IndexBytesPerRow(k, centroids);
        if (weightsLength < (long)n * k)
            throw new ArgumentException($"{weightsName} has {weightsLength} elements; n * k = {(long)n * k} are required.", weightsName);
        if (indicesLength < (long)n * rowBytes)
            throw new ArgumentException($"indices has {indicesLength} bytes; n * {rowBytes} = {(long)n * rowBytes} are required.", "indices");
        long books = (perRow ? (long)n : 1) * centroids;
        if (codebookLength < books)
            throw new ArgumentException($"codebook has {codebookLength} entries; {(perRow ? "n * " : "")}{centroids} = {books} are required.", "codebook");
        return rowBytes;
    }

    /// <summary>
    /// One-dimensional k-means over sorted distinct values with counts and double prefix sums, so that each Lloyd
    /// iteration costs O(centroids log distinct). Scratch is sized once for the largest group.
    /// </summary>
    private sealed class KMeans1D(int groupSize, int centroids)
    {
        private readonly float[] _sorted = new float[groupSize];
        private readonly double[] _distinct = new double[groupSize];
        private readonly long[] _countPrefix = new long[groupSize + 1];
        private readonly double[] _sumPrefix = new double[groupSize + 1];
        private readonly double[] _squarePrefix = new double[groupSize + 1];
        private readonly double[] _centers = new double[centroids];
        private readonly int[] _bounds = new int[centroids + 1]; // cluster c holds distinct values [_bounds[c], _bounds[c + 1])

        /// <summary>Writes the fitted centroids, ascending, to <paramref name="levels"/>; returns how many are used.</summary>
        public int Fit(ReadOnlySpan<float> values, Span<float> levels)
        {
            if (values.IsEmpty) return 0;
            Span<float> sorted = _sorted.AsSpan(0, values.Length);
            values.CopyTo(sorted);
            sorted.Sort();
            int d = 0;
            for (int i = 0; i < sorted.Length; i++)
            {
                // -0 and +0 are one value (equal), kept as the first seen.
                if (d == 0 || sorted[i] != _distinct[d - 1])
                {
                    _distinct[d] = sorted[i];
                    _countPrefix[d + 1] = _countPrefix[d];
                    _sumPrefix[d + 1] = _sumPrefix[d];
                    _squarePrefix[d + 1] = _squarePrefix[d];
                    d++;
                }

                _countPrefix[d]++;
                _sumPrefix[d] += sorted[i];
                _squarePrefix[d] += (double)sorted[i] * sorted[i];
            }

            if (d <= centroids)
            {
                for (int c = 0; c < d; c++) levels[c] = (float)_distinct[c];
                return d;
            }

            InitializeAtBlendedQuantiles(d);
            for (int iteration = 0; iteration < MaxIterations; iteration++)
            {
                bool refilled = RefillEmptyClusters(d);
                UpdateCenters();
                if (!Reassign(d) && !refilled) break;
            }

            for (int c = 0; c < centroids; c++) levels[c] = (float)_centers[c];
            // Rounding to fp32 keeps the order but may merge neighbours; ascending order is all Nearest needs.
            return centroids;
        }

        /// <summary>
        /// Centroid c starts where the blend of the data's distribution function and a uniform one over [min, max]
        /// reaches (c + 1/2) / centroids: count quantiles alone leave a long tail (where the largest errors are) a
        /// single level, a uniform grid wastes levels on the empty tail; half of each puts levels in both.
        /// </summary>
        private void InitializeAtBlendedQuantiles(int d)
        {
            double total = _countPrefix[d], min = _distinct[0], range = _distinct[d - 1] - min;
            int i = 0;
            for (int c = 0; c < centroids; c++)
            {
                double target = (c + 0.5) / centroids;
                // F(x) = (count below x / total + (x - min) / range) / 2 jumps at each distinct value and rises
                // linearly between them: find the first value after which F passes the target.
                while (i < d - 1 && (_countPrefix[i + 1] / total + (_distinct[i] - min) / range) / 2 < target) i++;
                // Between value i - 1 and value i, F rises linearly from its level after value i - 1.
                double below = i == 0 ? 0 : _countPrefix[i] / total;
                double x = min + (2 * target - below) * range;
                _centers[c] = Math.Clamp(x, i == 0 ? min : _distinct[i - 1], _distinct[i]);
            }

            Reassign(d);
        }

        /// <summary>
        /// Gives each empty cluster's centroid to the cluster with the largest squared error, at that cluster's value
        /// farthest from its centroid, so no level stays unused while the data has more distinct values.
        /// Returns whether any centroid moved.
        /// </summary>
        private bool RefillEmptyClusters(int d)
        {
            bool moved = false;
            for (int c = 0; c < centroids; c++)
            {
                if (_bounds[c] != _bounds[c + 1]) continue;
                int worst = -1;
                double worstError = 0;
                for (int o = 0; o < centroids; o++)
                {
                    int lo = _bounds[o], hi = _bounds[o + 1];
                    if (hi - lo < 2) continue;
                    double count = _countPrefix[hi] - _countPrefix[lo], sum = _sumPrefix[hi] - _sumPrefix[lo];
                    double error = _squarePrefix[hi] - _squarePrefix[lo] - sum * sum / count;
                    if (error > worstError) (worst, worstError) = (o, error);
                }

                if (worst < 0) break;
                int first = _bounds[worst], last = _bounds[worst + 1] - 1;
                _centers[c] = _centers[worst] - _distinct[first] > _distinct[last] - _centers[worst] ? _distinct[first] : _distinct[last];
                _centers.AsSpan().Sort();
                Reassign(d);
                moved = true;
            }

            return moved;
        }

        private void UpdateCenters()
        {
            for (int c = 0; c < centroids; c++)
            {
                int lo = _bounds[c], hi = _bounds[c + 1];
                long count = _countPrefix[hi] - _countPrefix[lo];
                if (count > 0)
                {
                    double mean = (_sumPrefix[hi] - _sumPrefix[lo]) / count;
                    // The difference of prefix sums can round just outside the cluster's range; clamp keeps the order.
                    _centers[c] = Math.Clamp(mean, _distinct[lo], _distinct[hi - 1]);
                }
            }
        }

        /// <summary>Assigns every distinct value to its nearest centroid; returns whether any assignment changed.</summary>
        private bool Reassign(int d)
        {
            bool changed = false;
            _bounds[0] = 0;
            for (int c = 1; c < centroids; c++)
            {
                // Values above the midpoint go to the upper centroid (ties stay with the lower one).
                double midpoint = _centers[c - 1] + (_centers[c] - _centers[c - 1]) / 2;
                int bound = Math.Max(UpperBound(_distinct.AsSpan(0, d), midpoint), _bounds[c - 1]);
                changed |= bound != _bounds[c];
                _bounds[c] = bound;
            }

            changed |= _bounds[centroids] != d;
            _bounds[centroids] = d;
            return changed;
        }

        /// <summary>The first index whose value is greater than <paramref name="target"/>.</summary>
        private static int UpperBound(ReadOnlySpan<double> ascending, double target)
        {
            int lo = 0, hi = ascending.Length;
            while (lo < hi)
            {
                int mid = (lo + hi) >>> 1;
                if (ascending[mid] <= target) lo = mid + 1;
                else hi = mid;
            }

            return lo;
        }

        /// <inheritdoc cref="UpperBound(ReadOnlySpan{double}, double)"/>
        private static int UpperBound(ReadOnlySpan<long> ascending, double target)
        {
            int lo = 0, hi = ascending.Length;
            while (lo < hi)
            {
                int mid = (lo + hi) >>> 1;
                if (ascending[mid] <= target) lo = mid + 1;
                else hi = mid;
            }

            return lo;
        }
    }
}
