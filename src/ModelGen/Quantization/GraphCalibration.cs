using ModelGen.Graph;
using ModelGen.IO;
using ModelGen.Numerics;

namespace ModelGen.Quantization;

/// <summary>
/// Calibrates the static int8 input scales of a graph model: runs fp32 copies of its layers over sample inputs and
/// records the input of every layer with <see cref="InputQuantization.Static"/> in an <see cref="ActivationHistogram"/>.
/// </summary>
public static class GraphCalibration
{
    /// <summary>
    /// Runs <paramref name="samples"/> through <paramref name="layers"/> in fp32 and returns the input scale of each
    /// layer with <see cref="InputQuantization.Static"/>, in layer order (feed it to <see cref="LoadOptions.Calibration"/>).
    /// </summary>
    /// <param name="weights">The model's float source file (PyTorch state_dict names, F32, F16, BF16 or F64, as
    /// <see cref="GraphModelIO.Load"/> reads them; other tensors are ignored). A packed file saved by a model holds
    /// quantized weights and cannot be calibrated.</param>
    /// <param name="layers">The model's plan (generated graph models expose it as <c>Layers</c>); whatever their
    /// precisions, calibration runs fp32 copies of them, BatchNorm folded and activations fused as the model runs them.</param>
    /// <param name="samples">Any number of inputs of <c>layers[0].InputSize</c> finite floats each, streamed in batches
    /// of <see cref="CalibrationOptions.BatchSize"/>: memory stays bounded whatever the count.</param>
    /// <param name="options">Method, histogram bins and batch size; defaults to <see cref="CalibrationOptions"/>().</param>
    /// <param name="progress">Told the number of samples done after each batch.</param>
    /// <exception cref="ArgumentException">No samples, a sample of the wrong length or not finite, a layer input that is
    /// not finite, an empty plan or one without a static layer.</exception>
    /// <exception cref="ModelFormatException">The weights are malformed or do not match the layers.</exception>
    public static CalibrationResult Calibrate(Stream weights, IReadOnlyList<GraphLayer> layers,
        IEnumerable<ReadOnlyMemory<float>> samples, CalibrationOptions? options = null, IProgress<long>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(layers);
        ArgumentNullException.ThrowIfNull(samples);
        options ??= new CalibrationOptions();
        GraphLayer[] float32 = Float32Copies(layers, out long weightBytes, out long fixedScratch, out long bytesPerSample);

        var histograms = new ActivationHistogram?[float32.Length];
        for (int l = 0; l < layers.Count; l++)
        {
            if (GraphLayout.HasInputScale(layers[l])) histograms[l] = new ActivationHistogram(options.Bins);
        }

        if (Array.TrueForAll(histograms, h => h is null))
        {
            throw new ArgumentException(
                "No layer has InputQuantization.Static (on an Int8 Dense or Conv2d layer): there is nothing to calibrate.", nameof(layers));
        }

        using NativeBlock block = GraphModelIO.Load(weights, "calibration", float32, weightBytes,
            new LoadOptions { IgnoreExtraTensors = true });
        int batchSize = options.BatchSize, inputs = float32[0].InputSize, outputs = float32[^1].OutputSize;
        using var activations = new NativeBlock(Math.Max(fixedScratch + bytesPerSample * batchSize, GraphScratch.Alignment));
        var input = new float[batchSize * inputs];
        var output = new float[batchSize * outputs];
        var plan = new ActivationPlan(fixedScratch, bytesPerSample, bytesPerSample, bytesPerSample);
        var backend = new ObservingBackend(float32, histograms);
        long done = CalibrationBatches.Run(samples, input, batchSize, inputs, float32[0].Name, (rows, first) =>
        {
            for (int r = 0; r < rows; r++)
                CheckFinite(input.AsSpan(r * inputs, inputs), first + r);
            backend.FirstSample = first;
            GraphExecutor.Forward(float32, plan, block, activations, input.AsSpan(0, rows * inputs), output, rows, backend, null);
        }, progress);

        var results = new List<LayerCalibration>();
        for (int l = 0; l < histograms.Length; l++)
        {
            if (histograms[l] is { } histogram)
                results.Add(new LayerCalibration(float32[l].Name, histogram.Scale(options), histogram.ObservedMax));
        }

        return new CalibrationResult(options.Method, done, results);
    }

    private static void CheckFinite(ReadOnlySpan<float> sample, long index)
    {
        for (int i = 0; i < sample.Length; i++)
        {
            if (!float.IsFinite(sample[i]))
            {
                throw new ArgumentException(
                    $"Sample {index} holds {FloatFormat.Describe(sample[i])} at [{i}]: calibration needs finite inputs.", "samples");
            }
        }
    }

    /// <summary>
    /// fp32 versions of <paramref name="layers"/>: the same graph and activation offsets, weights re-placed in a block of
    /// their own (each tensor 64-byte aligned), every convolution on its fp32 scratch in a fixed region of their own.
    /// The batch region needs as many bytes per sample as the furthest tensor or row scratch of the plan ends.
    /// </summary>
    private static GraphLayer[] Float32Copies(IReadOnlyList<GraphLayer> layers, out long weightBytes, out long fixedScratch,
        out long bytesPerSample)
    {
        if (layers.Count == 0)
        {
            throw new ArgumentException("calibration needs at least one layer", nameof(layers));
        }

        var copies = new GraphLayer[layers.Count];
        long cursor = 0;
        fixedScratch = 0;
        bytesPerSample = 0;
        for (int l = 0; l < copies.Length; l++)
        {
            GraphLayer layer = layers[l] ?? throw new ArgumentNullException(nameof(layers), $"layers[{l}] is null.");
            if (layer.Index != l)
            {
                throw new ArgumentException($"Layer '{layer.Name}' has Index {layer.Index} at position {l} of the plan.", nameof(layers));
            }

            GraphLayer copy = Copy(layer);
            if (GraphLayout.IsWeighted(copy))
            {
                int channels = GraphLayout.Channels(copy);
                long weightOffset = Place(ref cursor, GraphLayout.WeightBytes(copy));
                long biasOffset = GraphLayout.HasBiasSlot(copy) ? Place(ref cursor, 4L * channels) : GraphLayer.None;
                copy = Copy(copy, weightOffset, biasOffset);
            }

            if (copy.Kind == LayerKind.Conv2d && copy.Executes)
            {
                long scratch = GraphLayout.ScratchBytes(copy);
                fixedScratch = Math.Max(fixedScratch, GraphScratch.Align(scratch));
                copy = Copy(copy, copy.WeightOffset, copy.BiasOffset, scratchOffset: 0, scratchBytes: scratch);
            }

            if (copy.Executes)
            {
                bytesPerSample = Math.Max(bytesPerSample, End(copy.InputOffset, copy.InputSize * 4L));
                bytesPerSample = Math.Max(bytesPerSample, End(copy.Input2Offset, copy.InputSize * 4L));
                bytesPerSample = Math.Max(bytesPerSample, End(copy.OutputOffset, copy.OutputSize * 4L));
                bytesPerSample = Math.Max(bytesPerSample, End(copy.RowScratchOffset, copy.RowScratchBytes));
            }

            copies[l] = copy;
        }

        if (cursor > int.MaxValue)
        {
            throw new ArgumentException($"The fp32 copies of the layers need {cursor} bytes, over the 2 GiB block limit.", nameof(layers));
        }

        weightBytes = Math.Max(cursor, GraphScratch.Alignment);
        bytesPerSample = GraphScratch.Align(bytesPerSample);
        return copies;
    }

    private static long End(long offset, long bytes) => offset >= 0 ? offset + bytes : 0;

    private static long Place(ref long cursor, long bytes)
    {
        long offset = cursor;
        cursor += GraphScratch.Align(bytes);
        return offset;
    }

    /// <summary>
    /// <paramref name="layer"/> in fp32 (Dense and Conv2d weights; the rest already are), dynamic input, no int8
    /// scales, with the given weight and scratch places.
    /// </summary>
    private static GraphLayer Copy(GraphLayer layer, long weightOffset = GraphLayer.None, long biasOffset = GraphLayer.None,
        long scratchOffset = GraphLayer.None, long scratchBytes = 0) => new()
    {
        Index = layer.Index,
        Name = layer.Name,
        Kind = layer.Kind,
        Precision = Precision.Float32,
        Activation = layer.Activation,
        InputShape = layer.InputShape,
        OutputShape = layer.OutputShape,
        Window = layer.Window,
        Epsilon = layer.Epsilon,
        HasBias = layer.HasBias,
        FoldedBatchNorm = layer.FoldedBatchNorm,
        ExecutedBy = layer.ExecutedBy,
        Source = layer.Source,
        Source2 = layer.Source2,
        InputOffset = layer.InputOffset,
        Input2Offset = layer.Input2Offset,
        OutputOffset = layer.OutputOffset,
        RowScratchOffset = layer.RowScratchOffset,
        RowScratchBytes = layer.RowScratchBytes,
        ScratchOffset = scratchOffset,
        ScratchBytes = scratchBytes,
        WeightOffset = weightOffset,
        BiasOffset = biasOffset,
    };

    /// <summary>The CPU backend, recording the fp32 input of each static layer before it runs.</summary>
    private sealed class ObservingBackend(GraphLayer[] layers, ActivationHistogram?[] histograms) : CpuLayerBackend
    {
        /// <summary>Index of the batch's first sample, for messages.</summary>
        public long FirstSample { get; set; }

        public override void Dense(GraphLayer layer, in LayerSpans spans)
        {
            Observe(layer, spans);
            base.Dense(layer, spans);
        }

        public override void Conv2d(GraphLayer layer, in LayerSpans spans)
        {
            Observe(layer, spans);
            base.Conv2d(layer, spans);
        }

        private void Observe(GraphLayer layer, in LayerSpans spans)
        {
            if (histograms[layer.Index] is not { } histogram) return;
            try
            {
                histogram.Add(spans.Input[..(spans.Batch * layer.InputSize)]);
            }
            catch (ArgumentException e)
            {
                string what = layer.InputOffset == GraphLayer.ModelInput ? "The samples" : $"The input of layer '{layers[layer.Index].Name}'";
                throw new ArgumentException(
                    $"{what} in samples {FirstSample}..{FirstSample + spans.Batch - 1} must be finite: {e.Message}", "samples", e);
            }
        }
    }
}
