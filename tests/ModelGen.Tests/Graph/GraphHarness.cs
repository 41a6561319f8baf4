using ModelGen.Graph;
using ModelGen.IO;
using ModelGen.Numerics;
using ModelGen.Tests.Kernels;

namespace ModelGen.Tests.Graph;

/// <summary>Random PyTorch-style weight files for hand-built plans, running them, and a naive double-precision reference.</summary>
internal static class GraphHarness
{
    /// <summary>A safetensors source file with every tensor <paramref name="plan"/> reads, random, in F32.</summary>
    public static byte[] RandomSource(BuiltPlan plan, int seed) => Write(RandomTensors(plan, seed));

    /// <summary>One tensor of a source file: name, shape, values, dtype (float values are cast to it).</summary>
    internal sealed record SourceTensor(string Name, long[] Shape, float[] Values, SafeTensorsDType DType = SafeTensorsDType.F32);

    /// <summary>Every tensor <paramref name="plan"/> reads under PyTorch's names, random (BatchNorm's with num_batches_tracked).</summary>
    public static List<SourceTensor> RandomTensors(BuiltPlan plan, int seed)
    {
        var random = new Random(seed);
        var tensors = new List<SourceTensor>();
        float[] Uniform(int n, float low, float high) => [.. Enumerable.Range(0, n).Select(_ => (float)(low + random.NextDouble() * (high - low)))];
        void BatchNorm(string prefix, int channels)
        {
            tensors.Add(new(prefix + ".weight", [channels], Uniform(channels, 0.5f, 1.5f)));
            tensors.Add(new(prefix + ".bias", [channels], Uniform(channels, -0.5f, 0.5f)));
            tensors.Add(new(prefix + ".running_mean", [channels], Uniform(channels, -0.3f, 0.3f)));
            tensors.Add(new(prefix + ".running_var", [channels], Uniform(channels, 0.5f, 2f)));
            tensors.Add(new(prefix + ".num_batches_tracked", [], [7], SafeTensorsDType.I64));
        }
        foreach (GraphLayer layer in plan.Layers)
        {
            switch (layer.Kind)
            {
                case LayerKind.Dense:
                    int k = layer.InputShape[^1], n = layer.OutputShape[^1];
                    tensors.Add(new(layer.Name + ".weight", [n, k], [.. Uniform(n * k, -1, 1).Select(v => v / MathF.Sqrt(k))]));
                    if (layer.HasBias) tensors.Add(new(layer.Name + ".bias", [n], Uniform(n, -0.2f, 0.2f)));
                    break;
                case LayerKind.Conv2d:
                    var s = layer.Window;
                    tensors.Add(new(layer.Name + ".weight", [s.OutChannels, s.InChannelsPerGroup, s.KernelHeight, s.KernelWidth],
                        [.. Uniform(s.WeightCount, -1, 1).Select(v => v / MathF.Sqrt(s.WeightsPerOutChannel))]));
                    if (layer.HasBias) tensors.Add(new(layer.Name + ".bias", [s.OutChannels], Uniform(s.OutChannels, -0.2f, 0.2f)));
                    if (layer.FoldedBatchNorm is { } bn) BatchNorm(bn, s.OutChannels);
                    break;
                case LayerKind.BatchNorm2d when layer.Executes:
                    BatchNorm(layer.Name, layer.InputShape[0]);
                    break;
                case LayerKind.LayerNorm:
                    int f = layer.InputShape[^1];
                    tensors.Add(new(layer.Name + ".weight", [f], Uniform(f, 0.5f, 1.5f)));
                    tensors.Add(new(layer.Name + ".bias", [f], Uniform(f, -0.5f, 0.5f)));
                    break;
            }
        }
        return tensors;
    }

    /// <summary>The tensors as a safetensors file, each cast to its dtype (F32, F16, BF16, I64, I32).</summary>
    public static byte[] Write(IEnumerable<SourceTensor> tensors)
    {
        var writer = new SafeTensorsWriter();
        foreach (SourceTensor t in tensors)
        {
            switch (t.DType)
            {
                case SafeTensorsDType.F32: writer.AddTensor(t.Name, t.DType, t.Values, t.Shape); break;
                case SafeTensorsDType.F16: writer.AddTensor(t.Name, t.DType, t.Values.Select(HalfConversion.FromSingle).ToArray(), t.Shape); break;
                case SafeTensorsDType.BF16: writer.AddTensor(t.Name, t.DType, t.Values.Select(BFloat16Conversion.FromSingle).ToArray(), t.Shape); break;
                case SafeTensorsDType.I64: writer.AddTensor(t.Name, t.DType, t.Values.Select(v => (long)v).ToArray(), t.Shape); break;
                default: writer.AddTensor(t.Name, t.DType, t.Values.Select(v => (int)v).ToArray(), t.Shape); break;
            }
        }
        var stream = new MemoryStream();
        writer.WriteTo(stream);
        return stream.ToArray();
    }

    public static NativeBlock Load(BuiltPlan plan, byte[] file, string model = "test") =>
        GraphModelIO.Load(new MemoryStream(file), model, plan.Layers, plan.WeightBytes, null);

    /// <summary>Validates the plan and runs <paramref name="batch"/> samples through it.</summary>
    public static float[] Run(BuiltPlan plan, NativeBlock weights, float[] input, int batch, ILayerBackend? backend = null,
        LayerOutputObserver? observer = null)
    {
        GraphExecutor.Validate("test", plan.Layers, plan.Plan, weights.Length);
        using var activations = new NativeBlock(plan.Plan.BlockBytes(batch));
        var output = new float[batch * plan.OutputSize];
        GraphExecutor.Forward(plan.Layers, plan.Plan, weights, activations, input, output, batch, backend ?? CpuLayerBackend.Instance, observer);
        return output;
    }

    /// <summary>
    /// The model straight from the definitions, in double, with the weights as loaded (fp16/bf16 widened, int8 as
    /// q * scale): int8 GEMM layers quantize their rows (Dense inputs, im2col rows) as the kernels do.
    /// </summary>
    public static float[] Reference(BuiltPlan plan, NativeBlock weights, float[] input, int batch)
    {
        var values = new float[plan.Layers.Length][];
        float[] Of(int index)
        {
            while (index >= 0 && !plan.Layers[index].Executes) index = plan.Layers[index].ExecutedBy;
            return index < 0 ? input : values[index];
        }
        float[] last = input;
        foreach (GraphLayer layer in plan.Layers)
        {
            if (!layer.Executes) continue;
            float[] x = Of(layer.Source);
            float[] y = new float[batch * layer.OutputSize];
            switch (layer.Kind)
            {
                case LayerKind.Dense: Dense(layer, weights, x, y, batch); break;
                case LayerKind.Conv2d: Conv(layer, weights, x, y, batch); break;
                case LayerKind.BatchNorm2d:
                    float[] scale = Floats(weights, layer.WeightOffset, layer.InputShape[0]), shift = Floats(weights, layer.BiasOffset, layer.InputShape[0]);
                    int plane = layer.InputSize / layer.InputShape[0];
                    for (int i = 0; i < y.Length; i++)
                        y[i] = Act((double)x[i] * scale[i / plane % layer.InputShape[0]] + shift[i / plane % layer.InputShape[0]], layer.Activation);
                    break;
                case LayerKind.MaxPool2d or LayerKind.AvgPool2d: Pool(layer, x, y, batch); break;
                case LayerKind.GlobalAvgPool:
                    int spatial = layer.InputSize / layer.InputShape[0];
                    for (int p = 0; p < y.Length; p++)
                        y[p] = Act(x.AsSpan(p * spatial, spatial).ToArray().Select(v => (double)v).Average(), layer.Activation);
                    break;
                case LayerKind.LayerNorm:
                    int w = layer.InputShape[^1];
                    float[] gamma = Floats(weights, layer.WeightOffset, w), beta = Floats(weights, layer.BiasOffset, w);
                    for (int r = 0; r < y.Length / w; r++)
                    {
                        double mean = 0, variance = 0;
                        for (int i = 0; i < w; i++) mean += x[r * w + i];
                        mean /= w;
                        for (int i = 0; i < w; i++) variance += (x[r * w + i] - mean) * (x[r * w + i] - mean);
                        variance /= w;
                        for (int i = 0; i < w; i++)
                            y[r * w + i] = Act((x[r * w + i] - mean) / Math.Sqrt(variance + layer.Epsilon) * gamma[i] + beta[i], layer.Activation);
                    }
                    break;
                case LayerKind.Activation:
                    for (int i = 0; i < y.Length; i++) y[i] = Act(x[i], layer.Activation);
                    break;
                case LayerKind.Add:
                    float[] x2 = Of(layer.Source2);
                    for (int i = 0; i < y.Length; i++) y[i] = Act((double)x[i] + x2[i], layer.Activation);
                    break;
            }
            values[layer.Index] = last = y;
        }
        return last;
    }

    private static float Act(double v, Activation activation) => (float)ReferenceMath.Activate(v, activation);

    private static float[] Floats(NativeBlock block, long offset, int count) => block.AsSpan<float>((int)offset, count).ToArray();

    /// <summary>A Dense or Conv2d layer's weights as the values they stand for, <c>[channels, perChannel]</c>.</summary>
    public static float[] Weights(GraphLayer layer, NativeBlock block)
    {
        int channels = GraphLayout.Channels(layer), perChannel = GraphLayout.PerChannel(layer), count = channels * perChannel;
        int offset = (int)layer.WeightOffset;
        return layer.Precision switch
        {
            Precision.Float32 => block.AsSpan<float>(offset, count).ToArray(),
            Precision.Float16 => block.AsSpan<ushort>(offset, count).ToArray().Select(HalfConversion.ToSingle).ToArray(),
            Precision.BFloat16 => block.AsSpan<ushort>(offset, count).ToArray().Select(BFloat16Conversion.ToSingle).ToArray(),
            _ => Dequantize(block.AsSpan<sbyte>(offset, count).ToArray(), Floats(block, layer.ScaleOffset, channels), perChannel),
        };
    }

    private static float[] Dequantize(sbyte[] q, float[] scales, int perChannel) =>
        [.. q.Select((v, i) => v * scales[i / perChannel])];

    private static float[] Bias(GraphLayer layer, NativeBlock block) =>
        layer.BiasOffset == GraphLayer.None ? [] : Floats(block, layer.BiasOffset, GraphLayout.Channels(layer));

    /// <summary>Symmetric per-row int8 as the kernels quantize: scale = max|x| / 127, q = round-half-even(x / scale).</summary>
    private static (int[] Q, float Scale) Quantize(ReadOnlySpan<float> row)
    {
        float max = 0;
        foreach (float v in row) max = Math.Max(max, Math.Abs(v));
        float scale = max / 127;
        var q = new int[row.Length];
        if (scale > 0)
            for (int i = 0; i < row.Length; i++) q[i] = (int)Math.Clamp(MathF.Round(row[i] / scale, MidpointRounding.ToEven), -127, 127);
        return (q, scale);
    }

    /// <summary>One output of an int8 GEMM row: dot(q, w) * xScale * wScale + bias.</summary>
    private static double Int8Dot((int[] Q, float Scale) row, sbyte[] w, int wStart, float wScale, double bias)
    {
        long dot = 0;
        for (int i = 0; i < row.Q.Length; i++) dot += row.Q[i] * w[wStart + i];
        return dot * (double)row.Scale * wScale + bias;
    }

    private static void Dense(GraphLayer layer, NativeBlock block, float[] x, float[] y, int batch)
    {
        int k = layer.InputShape[^1], n = layer.OutputShape[^1], rows = batch * layer.InputSize / k;
        float[] bias = Bias(layer, block);
        if (layer.Precision == Precision.Int8)
        {
            sbyte[] q = block.AsSpan<sbyte>((int)layer.WeightOffset, n * k).ToArray();
            float[] scales = Floats(block, layer.ScaleOffset, n);
            for (int r = 0; r < rows; r++)
            {
                var row = Quantize(x.AsSpan(r * k, k));
                for (int j = 0; j < n; j++) y[r * n + j] = Act(Int8Dot(row, q, j * k, scales[j], bias.Length > 0 ? bias[j] : 0), layer.Activation);
            }
            return;
        }
        float[] w = Weights(layer, block);
        for (int r = 0; r < rows; r++)
            for (int j = 0; j < n; j++)
            {
                double sum = bias.Length > 0 ? bias[j] : 0;
                for (int i = 0; i < k; i++) sum += (double)x[r * k + i] * w[j * k + i];
                y[r * n + j] = Act(sum, layer.Activation);
            }
    }

    private static void Conv(GraphLayer layer, NativeBlock block, float[] x, float[] y, int batch)
    {
        var s = layer.Window;
        float[] bias = Bias(layer, block);
        if (layer.Precision != Precision.Int8 || !GraphScratch.ConvRunsInt8(GraphLayout.Geometry(s)))
        {
            double[] reference = ConvReference.Conv2d(x, Weights(layer, block), bias, batch, s, layer.Activation).Y;
            for (int i = 0; i < y.Length; i++) y[i] = (float)reference[i];
            return;
        }
        int k = s.WeightsPerOutChannel, positions = s.OutHeight * s.OutWidth;
        sbyte[] q = block.AsSpan<sbyte>((int)layer.WeightOffset, s.WeightCount).ToArray();
        float[] scales = Floats(block, layer.ScaleOffset, s.OutChannels);
        var column = new float[k];
        for (int b = 0; b < batch; b++)
            for (int oy = 0; oy < s.OutHeight; oy++)
                for (int ox = 0; ox < s.OutWidth; ox++)
                {
                    int c = 0;
                    for (int ci = 0; ci < s.InChannels; ci++)
                        for (int ky = 0; ky < s.KernelHeight; ky++)
                            for (int kx = 0; kx < s.KernelWidth; kx++)
                            {
                                int iy = oy * s.StrideHeight - s.PaddingHeight + ky * s.DilationHeight, ix = ox * s.StrideWidth - s.PaddingWidth + kx * s.DilationWidth;
                                column[c++] = iy < 0 || iy >= s.InHeight || ix < 0 || ix >= s.InWidth ? 0 : x[((b * s.InChannels + ci) * s.InHeight + iy) * s.InWidth + ix];
                            }
                    var row = Quantize(column);
                    for (int co = 0; co < s.OutChannels; co++)
                        y[(b * s.OutChannels + co) * positions + oy * s.OutWidth + ox] =
                            Act(Int8Dot(row, q, co * k, scales[co], bias.Length > 0 ? bias[co] : 0), layer.Activation);
                }
    }

    private static void Pool(GraphLayer layer, float[] x, float[] y, int batch)
    {
        int c = layer.InputShape[0], h = layer.InputShape[1], w = layer.InputShape[2], oh = layer.OutputShape[1], ow = layer.OutputShape[2];
        int k = layer.Window.KernelHeight, stride = layer.Window.StrideHeight, pad = layer.Window.PaddingHeight;
        for (int p = 0; p < batch * c; p++)
            for (int oy = 0; oy < oh; oy++)
                for (int ox = 0; ox < ow; ox++)
                {
                    double max = double.NegativeInfinity, sum = 0;
                    for (int ky = 0; ky < k; ky++)
                        for (int kx = 0; kx < k; kx++)
                        {
                            int iy = oy * stride - pad + ky, ix = ox * stride - pad + kx;
                            if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                            double v = x[(p * h + iy) * w + ix];
                            max = Math.Max(max, v);
                            sum += v;
                        }
                    y[(p * oh + oy) * ow + ox] = Act(layer.Kind == LayerKind.MaxPool2d ? max : sum / (k * k), layer.Activation);
                }
    }

    /// <summary>Asserts |actual - expected| &lt;= tolerance * (1 + |expected|) everywhere.</summary>
    public static void AssertClose(float[] expected, float[] actual, double tolerance, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            if (!(Math.Abs(actual[i] - expected[i]) <= tolerance * (1 + Math.Abs(expected[i]))))
                Assert.Fail($"{what}: element {i} is {actual[i]}, expected {expected[i]} (tolerance {tolerance} relative)");
    }
}
