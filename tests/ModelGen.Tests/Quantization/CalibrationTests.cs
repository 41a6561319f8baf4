using FashionMnist;
using ModelGen.IO;
using ModelGen.Kernels;
using ModelGen.Quantization;
using ModelGen.Tests.EndToEnd;
using ModelGen.Tests.IO;
using ModelGen.Tests.Kernels;

namespace ModelGen.Tests.Quantization;

public class CalibrationTests(ITestOutputHelper output)
{
    /// <summary>The calibration images: the first few hundred of the Fashion-MNIST test set.</summary>
    private const int Images = 512, Pixels = FashionMnistData.Pixels;

    private static readonly Lazy<FashionMnistData> s_fashion =
        new(() => FashionMnistData.Load(Path.Combine(AppContext.BaseDirectory, "data", "fashion-mnist")));

    private static ReadOnlyMemory<float> Image(int i) => s_fashion.Value.Images.AsMemory(i * Pixels, Pixels);

    private static IEnumerable<ReadOnlyMemory<float>> Samples(int count) => Enumerable.Range(0, count).Select(Image);

    private static CalibrationResult CalibrateFashion(CalibrationOptions options, int count = Images,
        IReadOnlyList<DenseLayer>? layers = null, IProgress<long>? progress = null)
    {
        using var weights = File.OpenRead(TestFiles.FashionMlp);
        return DenseCalibration.Calibrate(weights, layers ?? MlpInt8.Layers, Samples(count), options, progress);
    }

    // ---- options ----

    [Fact]
    public void OptionsHaveTheDocumentedDefaultsAndRejectImpossibleValues()
    {
        var defaults = new CalibrationOptions();
        Assert.Equal((CalibrationMethod.Percentile, 99.99, 2048, 64), (defaults.Method, defaults.Percentile, defaults.Bins, defaults.BatchSize));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CalibrationOptions(Percentile: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CalibrationOptions(Percentile: 100.01));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CalibrationOptions(Percentile: double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CalibrationOptions(Bins: 127));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CalibrationOptions(Bins: CalibrationOptions.MaxBins + 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CalibrationOptions(BatchSize: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CalibrationOptions((CalibrationMethod)4));
        // `with` goes through the same checks.
        Assert.Throws<ArgumentOutOfRangeException>(() => defaults with { Bins = 5 });
        Assert.Equal(100, (defaults with { Percentile = 100 }).Percentile);
    }

    // ---- histogram ----

    private static float[] Laplace(Random random, int count, int outliers)
    {
        var values = new float[count + outliers];
        for (int i = 0; i < count; i++)
        {
            double u = random.NextDouble() - 0.5;
            values[i] = (float)(-Math.Sign(u) * Math.Log(1 - 2 * Math.Abs(u)));
        }

        for (int i = 0; i < outliers; i++)
            values[count + i] = (float)((i % 2 == 0 ? 1 : -1) * (40 + random.NextDouble() * 60));
        random.Shuffle(values);
        return values;
    }

    private static ActivationHistogram Histogram(ReadOnlySpan<float> values, int bins = 2048)
    {
        var histogram = new ActivationHistogram(bins);
        histogram.Add(values);
        return histogram;
    }

    /// <summary>Mean squared error of quantizing <paramref name="values"/> with <paramref name="scale"/> (clip, round).</summary>
    private static double QuantizationMse(float[] values, float scale)
    {
        double sum = 0;
        foreach (float v in values)
        {
            double q = Math.Clamp(Math.Round(v / scale, MidpointRounding.ToEven), -127, 127) * scale;
            sum += (v - q) * (v - q);
        }

        return sum / values.Length;
    }

    [Fact]
    public void MinMaxIsTheExactLargestMagnitude()
    {
        float[] values = KernelTestData.Uniform(new Random(1), 10_001, 3f);
        values[777] = -3.25f;
        var histogram = Histogram(values);
        Assert.Equal(3.25f, histogram.ObservedMax);
        Assert.Equal(3.25f / 127, histogram.Scale(new CalibrationOptions(CalibrationMethod.MinMax)));
        Assert.Equal(10_001, histogram.Count);
    }

    /// <summary>|x| uniform on [0, 1), a third of the values exact zeros (they count for a percentile of |x|).</summary>
    [Theory]
    [InlineData(50.0)]
    [InlineData(99.0)]
    [InlineData(99.99)]
    public void PercentileIsWithinOneBinOfTheExactOne(double percentile)
    {
        float[] values = KernelTestData.Uniform(new Random(2), 300_000);
        for (int i = 0; i < values.Length; i += 3) values[i] = 0;
        var histogram = Histogram(values);
        float[] sorted = values.Select(Math.Abs).Order().ToArray();
        float exact = sorted[(int)Math.Ceiling(percentile / 100 * sorted.Length) - 1];
        float threshold = histogram.Threshold(new CalibrationOptions(CalibrationMethod.Percentile, percentile));
        Assert.True(Math.Abs(threshold - exact) <= histogram.BinWidth,
            $"p{percentile}: {threshold} vs exact {exact}, bin width {histogram.BinWidth}");
        Assert.Equal(histogram.ObservedMax, histogram.Threshold(new CalibrationOptions(CalibrationMethod.Percentile, 100)));
    }

    /// <summary>
    /// Heavy tails, Laplace(0, 1) (1M values, max ~14): the clipping methods pick a threshold below max and quantize
    /// with less squared error than MinMax, whose step the rare far values stretch.
    /// </summary>
    [Theory]
    [InlineData(CalibrationMethod.Entropy)]
    [InlineData(CalibrationMethod.Mse)]
    [InlineData(CalibrationMethod.Percentile)]
    public void ClippingMethodsBeatMinMaxOnHeavyTails(CalibrationMethod method)
    {
        float[] values = Laplace(new Random(3), 1_000_000, 0);
        var histogram = Histogram(values);
        var options = new CalibrationOptions(method);
        float threshold = histogram.Threshold(options);
        double minMaxMse = QuantizationMse(values, histogram.Scale(new CalibrationOptions(CalibrationMethod.MinMax)));
        double mse = QuantizationMse(values, histogram.Scale(options));
        output.WriteLine($"{method}: threshold {threshold:G4} (max {histogram.ObservedMax:G4}), MSE {mse:E3} vs MinMax {minMaxMse:E3}");
        Assert.True(threshold < 0.8 * histogram.ObservedMax, $"{method} threshold {threshold} vs max {histogram.ObservedMax}");
        Assert.True(mse < 0.8 * minMaxMse, $"{method}: MSE {mse} vs MinMax {minMaxMse}");
    }

    /// <summary>
    /// Laplace(0, 1) plus 0.01% outliers at |x| 40..100: Mse keeps most of the range (clipping an outlier costs its
    /// squared distance) yet still beats MinMax; Entropy, which weighs bins by probability, clips the outliers away.
    /// </summary>
    [Fact]
    public void WithOutliersMseBeatsMinMaxAndEntropyClipsThem()
    {
        float[] values = Laplace(new Random(3), 200_000, 20);
        var histogram = Histogram(values);
        float max = histogram.ObservedMax;
        double minMaxMse = QuantizationMse(values, histogram.Scale(new CalibrationOptions(CalibrationMethod.MinMax)));
        var mse = new CalibrationOptions(CalibrationMethod.Mse);
        var entropy = new CalibrationOptions(CalibrationMethod.Entropy);
        double mseError = QuantizationMse(values, histogram.Scale(mse));
        output.WriteLine($"max {max:G4}; Mse threshold {histogram.Threshold(mse):G4}, MSE {mseError:E3} vs MinMax {minMaxMse:E3}; " +
            $"Entropy threshold {histogram.Threshold(entropy):G4}, MSE {QuantizationMse(values, histogram.Scale(entropy)):E3}");
        Assert.True(histogram.Threshold(mse) < max, $"Mse threshold {histogram.Threshold(mse)} vs max {max}");
        Assert.True(mseError < minMaxMse, $"Mse: {mseError} vs MinMax {minMaxMse}");
        Assert.True(histogram.Threshold(entropy) < max / 4, $"Entropy threshold {histogram.Threshold(entropy)} vs max {max}");
    }

    /// <summary>
    /// On Laplace data without outliers (max ~12), the MSE threshold lands near the analytic optimum for a 127-level
    /// uniform quantizer of Laplace(1): about 9.4 (where step^2 / 12 and 2 e^-t balance at the margin).
    /// </summary>
    [Fact]
    public void MseThresholdIsNearTheAnalyticOptimum()
    {
        float[] values = Laplace(new Random(4), 1_000_000, 0);
        var histogram = Histogram(values);
        double best = double.PositiveInfinity, bestT = 0;
        for (double t = 2; t < 14; t += 0.01)
        {
            double step = t / 127, error = (1 - Math.Exp(-t)) * step * step / 12 + 2 * Math.Exp(-t);
            if (error < best) (best, bestT) = (error, t);
        }

        float threshold = histogram.Threshold(new CalibrationOptions(CalibrationMethod.Mse));
        output.WriteLine($"MSE threshold {threshold:G4}, analytic {bestT:G4}, max {histogram.ObservedMax:G4}");
        Assert.InRange(threshold, bestT * 0.85, bestT * 1.15);
    }

    /// <summary>When the first chunk holds the largest |x|, chunks give exactly the one-chunk histogram.</summary>
    [Fact]
    public void ChunksEqualOneChunkWhenTheRangeDoesNotGrow()
    {
        float[] values = Laplace(new Random(5), 100_000, 10);
        float max = values.Max(Math.Abs);
        int maxAt = Array.FindIndex(values, v => Math.Abs(v) == max);
        (values[0], values[maxAt]) = (values[maxAt], values[0]);
        var whole = Histogram(values);
        var chunked = new ActivationHistogram();
        for (int start = 0; start < values.Length; start += 777)
            chunked.Add(values.AsSpan(start, Math.Min(777, values.Length - start)));
        Assert.Equal(whole.Count, chunked.Count);
        Assert.Equal(whole.Range, chunked.Range);
        foreach (CalibrationMethod method in Enum.GetValues<CalibrationMethod>())
            Assert.Equal(whole.Threshold(new CalibrationOptions(method)), chunked.Threshold(new CalibrationOptions(method)));
    }

    /// <summary>
    /// Chunks of growing magnitude make the range double several times: MinMax stays exact, the range at most twice
    /// the max, and a percentile within one bin width of each histogram of the one-chunk (and the exact) value.
    /// </summary>
    [Fact]
    public void GrowingRangeStaysWithinTheDocumentedBound()
    {
        var random = new Random(6);
        var chunks = Enumerable.Range(0, 12).Select(c => KernelTestData.Uniform(random, 5000, 1 + 3 * c)).ToArray();
        float[] all = chunks.SelectMany(c => c).ToArray();
        var whole = Histogram(all);
        var chunked = new ActivationHistogram();
        foreach (float[] chunk in chunks) chunked.Add(chunk);
        Assert.True(chunked.Range > whole.Range && chunked.Range <= 2 * chunked.ObservedMax, $"range {chunked.Range}");
        Assert.Equal(whole.Threshold(new CalibrationOptions(CalibrationMethod.MinMax)),
            chunked.Threshold(new CalibrationOptions(CalibrationMethod.MinMax)));
        float[] sorted = all.Select(Math.Abs).Order().ToArray();
        foreach (double p in new[] { 10.0, 50, 90, 99.9 })
        {
            var options = new CalibrationOptions(CalibrationMethod.Percentile, p);
            float exact = sorted[(int)Math.Ceiling(p / 100 * sorted.Length) - 1];
            float a = whole.Threshold(options), b = chunked.Threshold(options);
            Assert.True(Math.Abs(a - b) <= whole.BinWidth + chunked.BinWidth, $"p{p}: one chunk {a}, chunks {b}");
            Assert.True(Math.Abs(b - exact) <= chunked.BinWidth, $"p{p}: chunks {b}, exact {exact}");
        }
    }

    /// <summary>Memory is the bins alone: millions of values over a range growing 2^20-fold neither add bins nor allocate.</summary>
    [Fact]
    public void MemoryIsBoundedWhateverTheInputCount()
    {
        var histogram = new ActivationHistogram(256);
        float[] chunk = KernelTestData.Uniform(new Random(7), 50_000);
        float magnitude = 1;
        void Round()
        {
            for (int i = 0; i < 3; i++)
            {
                histogram.Add(chunk);
                for (int j = 0; j < chunk.Length; j += 997) chunk[j] *= 2;   // grow the range now and then
                magnitude *= 2;
            }
        }

        Round();
        AllocationAssert.SteadyStateAllocatesNothing(Round, "ActivationHistogram.Add");
        for (int i = 0; i < 40; i++) histogram.Add(chunk);
        Assert.Equal(256, histogram.BinCount);
        Assert.True(histogram.Count >= 46 * 50_000);
        Assert.True(histogram.Range <= 2 * histogram.ObservedMax);
    }

    [Fact]
    public void NonFiniteValuesAreRejectedBeforeAnythingIsAdded()
    {
        var histogram = Histogram([1f, -2f]);
        foreach (float bad in new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity })
        {
            var e = Assert.Throws<ArgumentException>(() => histogram.Add([3f, 100f, bad]));
            Assert.Contains("values[2]", e.Message, StringComparison.Ordinal);
        }

        Assert.Equal(2, histogram.Count);
        Assert.Equal(2f, histogram.ObservedMax);
    }

    [Fact]
    public void EmptyAndAllZeroHistograms()
    {
        Assert.Throws<InvalidOperationException>(() => new ActivationHistogram().Scale(new CalibrationOptions()));
        var zeros = Histogram(new float[100]);
        foreach (CalibrationMethod method in Enum.GetValues<CalibrationMethod>())
            Assert.Equal(1f / 127, zeros.Scale(new CalibrationOptions(method)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ActivationHistogram(100));
    }

    // ---- DenseCalibration on the real model and images ----

    /// <summary>The hidden layer's input is the images: under MinMax its scale is max pixel / 127, exactly.</summary>
    [Fact]
    public void HiddenInputScaleUnderMinMaxIsMaxPixelOver127()
    {
        var result = CalibrateFashion(new CalibrationOptions(CalibrationMethod.MinMax, BatchSize: 37));
        float maxPixel = s_fashion.Value.Images.AsSpan(0, Images * Pixels).ToArray().Max();
        Assert.Equal(maxPixel / 127, result.InputScale("hidden"));
        Assert.Equal(maxPixel, result.Layers[0].ObservedMax);
        Assert.Equal(["hidden", "output"], result.Layers.Select(l => l.Name));
        Assert.Equal(Images, result.SampleCount);
        Assert.Equal(CalibrationMethod.MinMax, result.Method);
    }

    /// <summary>
    /// The output layer's input is the hidden layer after its ReLU: its largest value matches a double-precision
    /// recomputation of max(relu(x W^T + b)), which differs from the largest pre-activation magnitude.
    /// </summary>
    [Fact]
    public void OutputLayerInputIsPostRelu()
    {
        const int count = 100;
        var result = CalibrateFashion(new CalibrationOptions(CalibrationMethod.MinMax), count);
        using var file = SafeTensorsFile.Open(TestFiles.FashionMlp);
        float[] w = file.ReadFloat32("hidden.weight"), bias = file.ReadFloat32("hidden.bias");
        double maxRelu = 0, maxMagnitude = 0;
        for (int s = 0; s < count; s++)
        {
            ReadOnlySpan<float> x = Image(s).Span;
            for (int j = 0; j < 256; j++)
            {
                double sum = bias[j];
                for (int i = 0; i < Pixels; i++) sum += (double)x[i] * w[j * Pixels + i];
                maxRelu = Math.Max(maxRelu, sum);
                maxMagnitude = Math.Max(maxMagnitude, Math.Abs(sum));
            }
        }

        float observed = result.Layers[1].ObservedMax;
        output.WriteLine($"post-ReLU max {maxRelu:G6}, calibration {observed:G6}, max |pre-activation| {maxMagnitude:G6}");
        Assert.True(Math.Abs(observed - maxRelu) <= 1e-4 * maxRelu, $"{observed} vs {maxRelu}");
        Assert.True(maxMagnitude > 1.01 * maxRelu, "the test needs negative pre-activations larger than the largest positive one");
    }

    /// <summary>A hidden layer whose pre-activations are all negative feeds the next layer only ReLU zeros.</summary>
    [Fact]
    public void DeadReluLayerGivesTheNextLayerZeros()
    {
        var writer = new SafeTensorsWriter();
        writer.AddTensor("a.weight", SafeTensorsDType.F32, Enumerable.Repeat(-1f, 6).ToArray(), 2, 3);
        writer.AddTensor("a.bias", SafeTensorsDType.F32, new[] { -1f, -2f }, 2);
        writer.AddTensor("b.weight", SafeTensorsDType.F32, new[] { 1f, 1f }, 1, 2);
        var stream = new MemoryStream();
        writer.WriteTo(stream);
        stream.Position = 0;
        DenseLayer[] layers =
        [
            new("a", 3, 2, Precision.Int8, Activation.Relu, 0, 64, 128),
            new("b", 2, 1, Precision.BFloat16, Activation.None, 192, -1, -1),
        ];
        ReadOnlyMemory<float>[] samples = [new[] { 1f, 2f, 3f }, new[] { 0.5f, 0f, 4f }];
        var result = DenseCalibration.Calibrate(stream, layers, samples, new CalibrationOptions(CalibrationMethod.Entropy));
        Assert.Equal(4f, result.Layers[0].ObservedMax);
        Assert.Equal(0f, result.Layers[1].ObservedMax);
        Assert.Equal(1f / 127, result.InputScale("b"));
    }

    /// <summary>Progress is reported after each batch, increasing, ending at the sample count (a partial last batch included).</summary>
    [Fact]
    public void ProgressReachesTheSampleCount()
    {
        var reports = new List<long>();
        var result = CalibrateFashion(new CalibrationOptions(BatchSize: 64), 300, progress: new Recorder(reports));
        Assert.Equal([64, 128, 192, 256, 300], reports);
        Assert.Equal(300, result.SampleCount);
    }

    /// <summary>
    /// Samples stream through in batches: 2000 samples (6 MB of input) allocate what 200 do (the weights, the
    /// buffers, the histograms) within 32 KB, less than even keeping the 1800 extra sample handles (16 bytes each) would.
    /// </summary>
    [Fact]
    public void MemoryIsBoundedWhateverTheSampleCount()
    {
        static IEnumerable<ReadOnlyMemory<float>> Repeat(int count)
        {
            ReadOnlyMemory<float> image = Image(1);
            for (int i = 0; i < count; i++) yield return image;
        }

        long Allocated(int count)
        {
            using var weights = File.OpenRead(TestFiles.FashionMlp);
            long before = GC.GetAllocatedBytesForCurrentThread();
            DenseCalibration.Calibrate(weights, MlpF32.Layers, Repeat(count), new CalibrationOptions(CalibrationMethod.MinMax));
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }

        Allocated(100);   // warm: JIT, the image set, static state
        long small = Allocated(200), large = Allocated(2000);
        output.WriteLine($"allocated: 200 samples {small:N0} bytes, 2000 samples {large:N0} bytes");
        Assert.True(large - small < 32 * 1024, $"200 samples allocate {small} bytes, 2000 allocate {large}");
    }

    /// <summary>Calibration runs fp32 copies of the layers: their declared precision does not matter.</summary>
    [Fact]
    public void LayerPrecisionDoesNotChangeTheResult()
    {
        var options = new CalibrationOptions(CalibrationMethod.Entropy);
        var fromInt8 = CalibrateFashion(options, 200, MlpInt8.Layers);
        var fromBf16 = CalibrateFashion(options, 200, MlpBF16.Layers);
        Assert.Equal(fromInt8.Layers, fromBf16.Layers);
    }

    [Fact]
    public void BadInputsAreRejectedClearly()
    {
        using var weights = File.OpenRead(TestFiles.FashionMlp);
        var empty = Assert.Throws<ArgumentException>(() =>
            DenseCalibration.Calibrate(weights, MlpF32.Layers, Array.Empty<ReadOnlyMemory<float>>()));
        Assert.Contains("calibration needs at least one sample", empty.Message, StringComparison.Ordinal);

        weights.Position = 0;
        var pruned = Assert.Throws<ArgumentException>(() =>
            DenseCalibration.Calibrate(weights, EndToEnd.MlpChannels.Layers, [Image(0)]));
        Assert.Contains("Layer 'hidden' prunes channels (784 -> 256 in the file, 784 -> 100 computed)", pruned.Message, StringComparison.Ordinal);

        weights.Position = 0;
        var wrongWidth = Assert.Throws<ArgumentException>(() =>
            DenseCalibration.Calibrate(weights, MlpF32.Layers, [Image(0), new float[783]]));
        Assert.Contains("Sample 1 has 783 values", wrongWidth.Message, StringComparison.Ordinal);

        weights.Position = 0;
        float[] nan = Image(0).ToArray();
        nan[5] = float.NaN;
        var notFinite = Assert.Throws<ArgumentException>(() => DenseCalibration.Calibrate(weights, MlpF32.Layers, [nan]));
        Assert.Contains("values[5] is NaN", notFinite.Message, StringComparison.Ordinal);

        weights.Position = 0;
        Assert.Throws<ArgumentException>(() => DenseCalibration.Calibrate(weights, [], [Image(0)]));
        Assert.Throws<ArgumentException>(() => DenseCalibration.Calibrate(weights, [MlpF32.Layers[1], MlpF32.Layers[0]], [Image(0)]));

        var result = CalibrateFashion(new CalibrationOptions(), 10);
        var missing = Assert.Throws<KeyNotFoundException>(() => result.InputScale("hiden"));
        Assert.Contains("'hiden'", missing.Message, StringComparison.Ordinal);
        Assert.Contains("'hidden', 'output'", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BadWeightStreamsAreModelFormatErrors()
    {
        byte[] file = File.ReadAllBytes(TestFiles.FashionMlp);
        foreach (byte[] bad in new[] { new byte[] { 1, 2, 3 }, file[..5000], TestFiles.Build("""{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""", new byte[4]) })
            Assert.Throws<ModelFormatException>(() =>
                DenseCalibration.Calibrate(new MemoryStream(bad), MlpF32.Layers, Samples(3)));
    }

    /// <summary>
    /// The point of it all: static int8 (scales from each method, int8 weights from <see cref="Int8Quantizer"/>, one
    /// <see cref="DenseKernels.Int8Static"/> call per layer) agrees with fp32 on top-1 for at least 98% of the
    /// calibration images. Held-out images and the dynamic int8 model are printed for comparison.
    /// </summary>
    [Theory]
    [InlineData(CalibrationMethod.MinMax)]
    [InlineData(CalibrationMethod.Percentile)]
    [InlineData(CalibrationMethod.Entropy)]
    [InlineData(CalibrationMethod.Mse)]
    public void StaticInt8AgreesWithFloat32(CalibrationMethod method)
    {
        var result = CalibrateFashion(new CalibrationOptions(method));
        using var weights = SafeTensorsFile.Open(TestFiles.FashionMlp);
        using var fp32 = MlpF32.Load(TestFiles.FashionMlp);
        using var dynamic = MlpInt8.Load(TestFiles.FashionMlp);
        var hidden = QuantizedLayer.From(weights, "hidden", 784, 256);
        var head = QuantizedLayer.From(weights, "output", 256, 10);

        double Agreement(int first, int count, Func<int, float[], float[]> run)
        {
            int agree = 0;
            for (int s = first; s < first + count; s++)
            {
                float[] x = Image(s).ToArray();
                var reference = new float[10];
                fp32.Forward(x, reference, 1);
                agree += ArgMax(run(s, x)) == ArgMax(reference) ? 1 : 0;
            }

            return (double)agree / count;
        }

        float[] Static(int s, float[] x)
        {
            float[] h = hidden.Run(x, result.InputScale("hidden"), Activation.Relu);
            return head.Run(h, result.InputScale("output"), Activation.None);
        }

        float[] Dynamic(int s, float[] x)
        {
            var y = new float[10];
            dynamic.Forward(x, y, 1);
            return y;
        }

        double calibrated = Agreement(0, Images, Static), heldOut = Agreement(Images, 2000, Static);
        double dynamicCalibrated = Agreement(0, Images, Dynamic), dynamicHeldOut = Agreement(Images, 2000, Dynamic);
        output.WriteLine($"{method}: scales {result}; top-1 agreement with fp32: calibration images {calibrated:P2} " +
            $"(dynamic int8 {dynamicCalibrated:P2}), 2000 held-out images {heldOut:P2} (dynamic {dynamicHeldOut:P2})");
        Assert.True(calibrated >= 0.98, $"{method}: {calibrated:P2}");
    }

    private static int ArgMax(float[] values) => Array.IndexOf(values, values.Max());

    private sealed class QuantizedLayer
    {
        private sbyte[] _w = [];
        private float[] _scales = [], _bias = [];
        private int _k, _n;

        public static QuantizedLayer From(SafeTensorsFile file, string name, int k, int n)
        {
            var layer = new QuantizedLayer { _k = k, _n = n, _w = new sbyte[n * k], _scales = new float[n], _bias = file.ReadFloat32(name + ".bias") };
            Int8Quantizer.QuantizeRows(file.ReadFloat32(name + ".weight"), n, k, layer._w, layer._scales);
            return layer;
        }

        public float[] Run(float[] x, float xScale, Activation activation)
        {
            var y = new float[_n];
            DenseKernels.Int8Static(x, xScale, _w, _scales, _bias, y, 1, _k, _n, activation, new sbyte[_k]);
            return y;
        }
    }

    /// <summary>Records reports synchronously (<see cref="Progress{T}"/> would post them to the thread pool).</summary>
    private sealed class Recorder(List<long> reports) : IProgress<long>
    {
        public void Report(long value) => reports.Add(value);
    }
}
