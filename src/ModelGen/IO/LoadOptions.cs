using ModelGen.IO;
using ModelGen.Quantization;

namespace ModelGen;

/// <summary>Options for loading a model's weights.</summary>
public sealed class LoadOptions
{
    /// <summary>Default options: every tensor of the file must belong to the model.</summary>
    public static LoadOptions Default { get; } = new();

    /// <summary>Accept tensors the model does not use (e.g. an optimizer's or a head you dropped) instead of failing.</summary>
    public bool IgnoreExtraTensors { get; init; }

    /// <summary>
    /// Most bytes a non-seekable stream (e.g. a network or decompression stream) may need: such a file is copied into
    /// memory before it is validated. Seekable streams are read in place and ignore this.
    /// </summary>
    public long MaxBufferedBytes { get; init; } = SafeTensorsFile.DefaultMaxBufferedBytes;

    /// <summary>
    /// Static input scales for layers with <see cref="InputQuantization.Static"/> when the file is a float source (a file
    /// ModelGen saved carries them). Comes from <see cref="DenseCalibration.Calibrate"/> or, for graph models,
    /// <see cref="GraphCalibration.Calibrate"/>.
    /// </summary>
    public CalibrationResult? Calibration { get; init; }
}
