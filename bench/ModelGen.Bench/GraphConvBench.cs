using System.Runtime.InteropServices;
using ModelGen.Graph;
using ModelGen.Kernels;

namespace ModelGen.Bench;

/// <summary>
/// The graph backend's int8 convolution (im2col or transpose, int8 GEMM over positions, transpose back) against its
/// fp32 convolution on the same shapes, batch 1, one thread, measured in the same run (ReLU6 and bias fused in both).
/// `dotnet run -c Release --project bench/ModelGen.Bench -- graph-conv [quick]`.
/// </summary>
public static class GraphConvBench
{
    public static void Run(bool quick)
    {
        Console.WriteLine($"{"graph conv (batch 1, one thread)",-46} {"fp32 us",10} {"int8 us",10} {"fp32/int8",10}");
        Measure("mobilenet_v2 pw 16->96 112x112 1x1", new Conv2dShape(16, 96, 112, 112, 1, 1), quick);
        Measure("mobilenet_v2 pw 24->144 56x56 1x1", new Conv2dShape(24, 144, 56, 56, 1, 1), quick);
        Measure("mobilenet_v2 pw 144->24 56x56 1x1", new Conv2dShape(144, 24, 56, 56, 1, 1), quick);
        Measure("mobilenet_v2 pw 32->192 28x28 1x1", new Conv2dShape(32, 192, 28, 28, 1, 1), quick);
        Measure("mobilenet_v2 pw 96->576 14x14 1x1", new Conv2dShape(96, 576, 14, 14, 1, 1), quick);
        Measure("mobilenet_v2 pw 320->1280 7x7 1x1", new Conv2dShape(320, 1280, 7, 7, 1, 1), quick);
        Measure("mobilenet_v2 stem 3->32 224x224 3x3 s2 p1", new Conv2dShape(3, 32, 224, 224, 3, 3, 2, 2, 1, 1), quick);
        Measure("3x3 32->32 28x28 p1 (dense 3x3)", new Conv2dShape(32, 32, 28, 28, 3, 3, PaddingHeight: 1, PaddingWidth: 1), quick);
        Measure("fashion_cnn conv2 16->32 14x14 3x3 p1", new Conv2dShape(16, 32, 14, 14, 3, 3, PaddingHeight: 1, PaddingWidth: 1), quick);
    }

    private static void Measure(string name, Conv2dShape shape, bool quick)
    {
        var random = new Random(1);
        float[] x = Random(random, shape.InputSize), w = Random(random, shape.WeightCount), bias = Random(random, shape.OutChannels);
        sbyte[] q = [.. w.Select(v => (sbyte)Math.Round(v * 127))];
        float[] scales = [.. Enumerable.Repeat(1f / 127, shape.OutChannels)];
        float[] y = new float[shape.OutputSize];
        double fp32 = Time(Layer(shape, Precision.Float32), MemoryMarshal.AsBytes(w.AsSpan()).ToArray(), [], bias, x, y, quick);
        double int8 = Time(Layer(shape, Precision.Int8), MemoryMarshal.AsBytes(q.AsSpan()).ToArray(), scales, bias, x, y, quick);
        Console.WriteLine($"{name,-46} {fp32,10:F1} {int8,10:F1} {fp32 / int8,9:F2}x");
    }

    private static GraphLayer Layer(Conv2dShape s, Precision precision) => new()
    {
        Index = 0, Name = "conv", Kind = LayerKind.Conv2d, Precision = precision, Activation = Activation.Relu6,
        InputShape = [s.InChannels, s.InHeight, s.InWidth], OutputShape = [s.OutChannels, s.OutHeight, s.OutWidth], Window = s, HasBias = true,
    };

    private static double Time(GraphLayer layer, byte[] weights, float[] scales, float[] bias, float[] x, float[] y, bool quick)
    {
        long scratchBytes = layer.Precision == Precision.Int8
            ? GraphScratch.ConvBytes(3, GraphLayout.Geometry(layer.Window)) : ConvKernels.ScratchFloats(layer.Window) * 4;
        byte[] scratch = new byte[scratchBytes];
        return Timing.MedianMicroseconds(() => CpuLayerBackend.Instance.Conv2d(layer, new LayerSpans(x, [], y, weights, scales, bias, scratch, [], 1)), quick);
    }

    private static float[] Random(Random random, int n) => [.. Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 2 - 1))];
}
