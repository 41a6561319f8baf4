using ModelGen.Numerics;

namespace ModelGen.Quantization;

/// <summary>
/// Streams the values of one activation tensor into a fixed number of bins of |x| and picks the int8 scale
/// (threshold / 127) a <see cref="CalibrationMethod"/> prescribes. Memory is the bin array alone, whatever the
/// number of values added.
/// </summary>
/// <remarks>
/// The bins cover [0, <see cref="Range"/>) in equal widths. The first non-zero value sets the range to the largest
/// |x| of its chunk; a later value beyond the range doubles it (repeatedly if needed) by merging adjacent bin
/// pairs, so earlier values keep their place, at the coarser width (bin edges stay multiples of the width from 0).
/// Hence adding values in chunks gives exactly the histogram of adding them at once when the first chunk holding a
/// non-zero value also holds the largest |x|. When the range grows, the result is the histogram of the same values
/// at a coarser width: the range stays at most twice the largest |x|, and a percentile threshold lies within one bin
/// width of the exact percentile, so within one bin width of each histogram of the all-at-once threshold.
/// <see cref="ObservedMax"/> and so MinMax are always exact.
/// Exact zeros are counted apart: <see cref="CalibrationMethod.Percentile"/> counts them (a percentile of |x|),
/// while Entropy and Mse ignore them, since a zero is quantized exactly whatever the threshold (after a ReLU, half
/// the values may be zeros and would swamp the divergence).
/// </remarks>
public sealed class ActivationHistogram
{
    /// <summary>Most thresholds the entropy search evaluates (TensorRT's 2048-bin search tries 1921).</summary>
    private const int MaxEntropyCandidates = 2048;

    private readonly long[] _bins;
    private double _range;
    private long _zeros;
    private float _max;

    /// <summary>An empty histogram of <paramref name="bins"/> bins (see <see cref="CalibrationOptions.Bins"/>).</summary>
    public ActivationHistogram(int bins = 2048)
    {
        if (bins is < CalibrationOptions.MinBins or > CalibrationOptions.MaxBins)
        {
            throw new ArgumentOutOfRangeException(nameof(bins), bins,
                $"The histogram needs {CalibrationOptions.MinBins} to {CalibrationOptions.MaxBins} bins.");
        }

        _bins = new long[bins];
    }

    /// <summary>Values added so far, zeros included.</summary>
    public long Count { get; private set; }

    /// <summary>The largest |x| added so far (exact), 0 when none or all zero.</summary>
    public float ObservedMax => _max;

    /// <summary>The number of bins: fixed at construction.</summary>
    public int BinCount => _bins.Length;

    /// <summary>The upper end of the binned |x| interval, 0 until a non-zero value arrives.</summary>
    public double Range => _range;

    /// <summary>Width of one bin: <see cref="Range"/> / <see cref="BinCount"/>.</summary>
    public double BinWidth => _range / _bins.Length;

    /// <summary>
    /// Adds <paramref name="values"/>. NaN or ±Infinity throws <see cref="ArgumentException"/> naming the position,
    /// before anything is added. Allocates nothing.
    /// </summary>
    public void Add(ReadOnlySpan<float> values)
    {
        float max = 0f;
        for (int i = 0; i < values.Length; i++)
        {
            float magnitude = Math.Abs(values[i]);
            if (!float.IsFinite(magnitude))
            {
                throw new ArgumentException(
                    $"values[{i}] is {FloatFormat.Describe(values[i])}: calibration needs finite activations.", nameof(values));
            }

            max = Math.Max(max, magnitude);
        }

        if (max > 0f)
        {
            if (_range == 0)
            {
                _range = max;
            }

            while (max > _range)
            {
                Grow();
            }
        }

        double perUnit = _range > 0 ? _bins.Length / _range : 0;
        int lastBin = _bins.Length - 1;
        foreach (float value in values)
        {
            if (value == 0f)
            {
                _zeros++;
                continue;
            }

            // The first range is max itself, so max lands on the upper edge: it belongs to the last bin.
            _bins[Math.Min((int)(Math.Abs(value) * perUnit), lastBin)]++;
        }

        Count += values.Length;
        _max = Math.Max(_max, max);
    }

    /// <summary>Doubles the range: bin i takes old bins 2i and 2i + 1.</summary>
    private void Grow()
    {
        int half = (_bins.Length + 1) / 2;
        for (int i = 0; i < half; i++)
        {
            long pair = _bins[2 * i] + (2 * i + 1 < _bins.Length ? _bins[2 * i + 1] : 0);
            _bins[i] = pair;
        }

        Array.Clear(_bins, half, _bins.Length - half);
        _range *= 2;
    }

    /// <summary>
    /// The int8 scale (threshold / 127) <paramref name="options"/>' method picks: finite and positive, as
    /// <see cref="Kernels.DenseKernels.Int8Static"/> requires. If every value was zero the scale is 1 / 127 (zeros are
    /// exact at any scale). The bin count is the histogram's own; <see cref="CalibrationOptions.Bins"/> is what
    /// <see cref="DenseCalibration"/> builds histograms with.
    /// </summary>
    /// <exception cref="InvalidOperationException">No value was added.</exception>
    public float Scale(CalibrationOptions options) => ScaleOf(Threshold(options));

    /// <summary>The clipping threshold on |x| that <paramref name="options"/>' method picks (0 if all values were zero).</summary>
    /// <exception cref="InvalidOperationException">No value was added.</exception>
    public float Threshold(CalibrationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (Count == 0)
        {
            throw new InvalidOperationException("The histogram is empty: add values before asking for a scale.");
        }

        if (_max == 0f)
        {
            return 0f;
        }

        double threshold = options.Method switch
        {
            CalibrationMethod.MinMax => _max,
            CalibrationMethod.Percentile => PercentileThreshold(options.Percentile),
            CalibrationMethod.Entropy => EntropyThreshold(),
            CalibrationMethod.Mse => MseThreshold(),
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Method, "Unknown calibration method."),
        };
        // Never beyond the largest value seen, never so small that the scale underflows.
        return Math.Min((float)threshold, _max);
    }

    /// <summary>threshold / 127, at least the smallest positive float; 1 / 127 for a threshold of 0.</summary>
    internal static float ScaleOf(float threshold) =>
        threshold > 0f ? Math.Max(threshold / Int8Quantizer.MaxQuantized, float.Epsilon) : 1f / Int8Quantizer.MaxQuantized;

    /// <summary>The |x| below which <paramref name="percentile"/> % of all values lie, interpolated within its bin.</summary>
    private double PercentileThreshold(double percentile)
    {
        if (percentile >= 100)
        {
            return _max;
        }

        double target = percentile / 100 * Count;
        double seen = _zeros;
        if (seen >= target)
        {
            return 0;
        }

        double width = BinWidth;
        for (int i = 0; i < _bins.Length; i++)
        {
            long count = _bins[i];
            if (seen + count >= target)
            {
                return (i + (target - seen) / count) * width;
            }

            seen += count;
        }

        return _max;
    }

    /// <summary>
    /// TensorRT's KL search (as in NVIDIA's "8-bit Inference with TensorRT", 2017): for each candidate of i bins
    /// (128 .. the last non-empty bin), P is bins [0, i) with the mass beyond folded into bin i - 1; Q quantizes
    /// bins [0, i) into 128 levels and spreads each level's count evenly over its non-empty bins; the threshold is
    /// the upper edge of the i with the least KL(P || Q). Below 128 non-empty bins every candidate is exact: max.
    /// Each candidate costs O(i), so beyond <see cref="MaxEntropyCandidates"/> candidates i steps by more than one bin.
    /// </summary>
    private double EntropyThreshold()
    {
        const int levels = Int8Quantizer.MaxQuantized + 1;
        int used = UsedBins();
        if (used <= levels)
        {
            return _max;
        }

        long total = 0;
        for (int i = 0; i < used; i++)
        {
            total += _bins[i];
        }

        var q = new double[used];
        double best = double.PositiveInfinity;
        int bestBins = used;
        long inside = 0;
        for (int i = 0; i < levels - 1; i++)
        {
            inside += _bins[i];
        }

        int stride = Math.Max(1, (used - levels + MaxEntropyCandidates) / MaxEntropyCandidates);
        for (int i = levels; i <= used; i++)
        {
            inside += _bins[i - 1];
            if ((i - levels) % stride != 0 && i != used)
            {
                continue;
            }

            long outliers = total - inside;
            double divergence = Divergence(i, outliers, total, q);
            if (divergence < best)
            {
                best = divergence;
                bestBins = i;
            }
        }

        return bestBins * BinWidth;
    }

    private double Divergence(int i, long outliers, long total, double[] q)
    {
        const int levels = Int8Quantizer.MaxQuantized + 1;
        // Q: each of 128 levels covers bins [start, end); its count spreads over the non-empty bins it covers.
        for (int level = 0; level < levels; level++)
        {
            int start = (int)((long)level * i / levels), end = (int)((long)(level + 1) * i / levels);
            long sum = 0;
            int nonEmpty = 0;
            for (int b = start; b < end; b++)
            {
                sum += _bins[b];
                nonEmpty += _bins[b] > 0 ? 1 : 0;
            }

            double share = nonEmpty > 0 ? (double)sum / nonEmpty : 0;
            for (int b = start; b < end; b++)
            {
                q[b] = _bins[b] > 0 ? share : 0;
            }
        }

        // P and Q both sum to the in-range mass plus the outliers folded into P's last bin; Q holds only the former.
        double qTotal = total - outliers;
        double divergence = 0;
        for (int b = 0; b < i; b++)
        {
            double p = _bins[b] + (b == i - 1 ? outliers : 0);
            if (p == 0)
            {
                continue;
            }

            if (q[b] == 0)
            {
                return double.PositiveInfinity;
            }

            divergence += p / total * Math.Log(p / total / (q[b] / qTotal));
        }

        return divergence;
    }

    /// <summary>
    /// The bin edge t minimising the expected squared error per value: rounding error step^2 / 12 (step = t / 127)
    /// for each non-zero |x| within t, clipping error (|x| - t)^2 beyond it, |x| taken at bin centres.
    /// </summary>
    private double MseThreshold()
    {
        int used = UsedBins();
        double width = BinWidth;
        double best = double.PositiveInfinity, bestThreshold = _max;
        // Running sums of the bins beyond t: count, sum of centres and of squared centres give sum (c - t)^2 in O(1).
        double beyondCount = 0, beyondSum = 0, beyondSquares = 0;
        for (int b = 0; b < used; b++)
        {
            double c = (b + 0.5) * width;
            beyondCount += _bins[b];
            beyondSum += _bins[b] * c;
            beyondSquares += _bins[b] * c * c;
        }

        double insideCount = 0;
        for (int i = 1; i <= used; i++)
        {
            double c = (i - 0.5) * width;
            long n = _bins[i - 1];
            beyondCount -= n;
            beyondSum -= n * c;
            beyondSquares -= n * c * c;
            insideCount += n;
            double t = i * width, step = t / Int8Quantizer.MaxQuantized;
            double error = insideCount * step * step / 12
                + Math.Max(0, beyondSquares - 2 * t * beyondSum + t * t * beyondCount);
            if (error < best)
            {
                best = error;
                bestThreshold = t;
            }
        }

        return bestThreshold;
    }

    /// <summary>One past the last non-empty bin.</summary>
    private int UsedBins()
    {
        int used = _bins.Length;
        while (used > 0 && _bins[used - 1] == 0)
        {
            used--;
        }

        return used;
    }
}
