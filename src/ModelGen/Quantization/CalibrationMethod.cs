namespace ModelGen.Quantization;

/// <summary>How a calibrated int8 activation threshold (scale = threshold / 127) is chosen from observed values.</summary>
public enum CalibrationMethod
{
    /// <summary>The largest |x| seen: nothing clips on calibration data, but outliers cost resolution.</summary>
    MinMax,
    /// <summary>The <see cref="CalibrationOptions.Percentile"/>-th percentile of |x|: the rarest values clip.</summary>
    Percentile,
    /// <summary>
    /// TensorRT's entropy calibration: the threshold whose 128-level quantization of the |x| histogram has the least
    /// KL divergence from the histogram itself (values beyond the threshold folded into its last bin).
    /// </summary>
    Entropy,
    /// <summary>The threshold with the least expected squared error, rounding inside it plus clipping beyond it.</summary>
    Mse,
}
