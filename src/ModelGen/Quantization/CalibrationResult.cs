namespace ModelGen.Quantization;

/// <summary>The calibrated input of one dense layer.</summary>
/// <param name="Name">The layer's tensor name prefix (<see cref="DenseLayer.Name"/>).</param>
/// <param name="InputScale">The int8 scale of the layer's input (threshold / 127), for
/// <see cref="Kernels.DenseKernels.Int8Static"/>.</param>
/// <param name="ObservedMax">The largest |x| the layer's input reached on the calibration samples.</param>
public sealed record LayerCalibration(string Name, float InputScale, float ObservedMax);

/// <summary>What <see cref="DenseCalibration.Calibrate"/> found: one input scale per layer, in layer order.</summary>
public sealed class CalibrationResult
{
    private readonly Dictionary<string, LayerCalibration> _byName;

    /// <summary>A result of <paramref name="sampleCount"/> samples; layer names must be unique.</summary>
    public CalibrationResult(CalibrationMethod method, long sampleCount, IReadOnlyList<LayerCalibration> layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        Method = method;
        SampleCount = sampleCount;
        Layers = [.. layers];
        _byName = new Dictionary<string, LayerCalibration>(StringComparer.Ordinal);
        foreach (LayerCalibration layer in Layers)
        {
            ArgumentNullException.ThrowIfNull(layer, nameof(layers));
            if (!_byName.TryAdd(layer.Name, layer))
            {
                throw new ArgumentException($"Layer '{layer.Name}' appears twice.", nameof(layers));
            }
        }
    }

    /// <summary>The method the scales were chosen with.</summary>
    public CalibrationMethod Method { get; }

    /// <summary>How many samples were run.</summary>
    public long SampleCount { get; }

    /// <summary>One entry per layer, in the model's layer order.</summary>
    public IReadOnlyList<LayerCalibration> Layers { get; }

    /// <summary>The input scale of the layer named <paramref name="layerName"/>.</summary>
    /// <exception cref="KeyNotFoundException">No layer of that name was calibrated.</exception>
    public float InputScale(string layerName)
    {
        ArgumentNullException.ThrowIfNull(layerName);
        if (_byName.TryGetValue(layerName, out LayerCalibration? layer))
        {
            return layer.InputScale;
        }

        throw new KeyNotFoundException(
            $"No layer named '{layerName}' was calibrated; the calibrated layers are {string.Join(", ", Layers.Select(l => $"'{l.Name}'"))}.");
    }

    /// <inheritdoc/>
    public override string ToString() =>
        $"{Method} calibration over {SampleCount} samples: " +
        string.Join(", ", Layers.Select(l => $"{l.Name} scale {l.InputScale:G6} (max {l.ObservedMax:G6})"));
}
