namespace ModelGen;

/// <summary>How an <see cref="Precision.Int8"/> layer quantizes its input activations.</summary>
public enum InputQuantization
{
    /// <summary>Per row at run time from the row's max |x| (one extra pass over the input).</summary>
    Dynamic = 0,
    /// <summary>
    /// One scale fixed ahead of time by calibration (<c>ModelGen.Quantization.DenseCalibration</c>, or <c>GraphCalibration</c> for graph models): no range pass.
    /// The weight file must carry <c>{Name}.input_scale</c>, or <c>LoadOptions.Calibration</c> must supply it.
    /// </summary>
    Static = 1,
}
