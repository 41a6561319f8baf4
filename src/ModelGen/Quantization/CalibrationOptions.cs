namespace ModelGen.Quantization;

/// <summary>Options of int8 activation calibration; every value is checked when set.</summary>
/// <param name="Method">How the threshold is chosen from the histogram.</param>
/// <param name="Percentile">For <see cref="CalibrationMethod.Percentile"/>: the percentile of |x| used as the
/// threshold, in (0, 100].</param>
/// <param name="Bins">Histogram bins per tensor, 128 .. 65,536: fixed, whatever the number of values seen
/// (<see cref="CalibrationMethod.Entropy"/> needs at least the 128 quantization levels).</param>
/// <param name="BatchSize">Samples run through the fp32 model at once by <see cref="DenseCalibration"/>, 1 .. 65,536.</param>
public sealed record CalibrationOptions(CalibrationMethod Method = CalibrationMethod.Percentile, double Percentile = 99.99,
    int Bins = 2048, int BatchSize = 64)
{
    /// <summary>The fewest bins: one per positive int8 level, as the entropy search needs.</summary>
    public const int MinBins = 128;

    /// <summary>The most bins (512 KiB of counts per tensor; the entropy search is O(bins) per candidate).</summary>
    public const int MaxBins = 1 << 16;

    /// <summary>The largest <see cref="BatchSize"/>.</summary>
    public const int MaxBatchSize = 1 << 16;

    private readonly CalibrationMethod _method = CheckMethod(Method);
    private readonly double _percentile = CheckPercentile(Percentile);
    private readonly int _bins = CheckBins(Bins);
    private readonly int _batchSize = CheckBatchSize(BatchSize);

    /// <summary>How the threshold is chosen from the histogram.</summary>
    public CalibrationMethod Method { get => _method; init => _method = CheckMethod(value); }

    /// <summary>The percentile of |x| used by <see cref="CalibrationMethod.Percentile"/>, in (0, 100].</summary>
    public double Percentile { get => _percentile; init => _percentile = CheckPercentile(value); }

    /// <summary>Histogram bins per tensor, <see cref="MinBins"/> .. <see cref="MaxBins"/>.</summary>
    public int Bins { get => _bins; init => _bins = CheckBins(value); }

    /// <summary>Samples per fp32 forward pass during calibration, 1 .. <see cref="MaxBatchSize"/>.</summary>
    public int BatchSize { get => _batchSize; init => _batchSize = CheckBatchSize(value); }

    private static CalibrationMethod CheckMethod(CalibrationMethod method) =>
        Enum.IsDefined(method) ? method
            : throw new ArgumentOutOfRangeException(nameof(Method), method, "Unknown calibration method.");

    private static double CheckPercentile(double percentile) =>
        percentile is > 0 and <= 100 ? percentile
            : throw new ArgumentOutOfRangeException(nameof(Percentile), percentile, "The percentile must be in (0, 100].");

    private static int CheckBins(int bins) =>
        bins is >= MinBins and <= MaxBins ? bins
            : throw new ArgumentOutOfRangeException(nameof(Bins), bins, $"The histogram needs {MinBins} to {MaxBins} bins.");

    private static int CheckBatchSize(int batchSize) =>
        batchSize is >= 1 and <= MaxBatchSize ? batchSize
            : throw new ArgumentOutOfRangeException(nameof(BatchSize), batchSize, $"The batch size must be 1 to {MaxBatchSize}.");
}
