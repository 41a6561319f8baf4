using ModelGen.Kernels;

namespace ModelGen.Bench;

/// <summary>
/// Convolution kernels on the reference models' shapes, against a peer measured in the same run: im2col written
/// plainly plus the dense GEMM per group (what a first port would do), and a naive scalar loop nest.
/// Prints plain lines; no RESULT lines yet.
/// </summary>
public static class ConvBench
{
    public static void Run(bool quick)
    {
        Console.WriteLine($"{"conv (batch 1, one thread)",-44} {"ModelGen us",12} {"im2col+gemm us",15} {"ratio",7} {"naive us",10} {"ratio",7}  {"algorithm",-9} {"other algorithms us (ratio)"}");
        Measure("fashion_cnn conv1 1->16 28x28 3x3 p1", new Conv2dShape(1, 16, 28, 28, 3, 3, PaddingHeight: 1, PaddingWidth: 1), quick);
        Measure("fashion_cnn conv2 16->32 14x14 3x3 p1", new Conv2dShape(16, 32, 14, 14, 3, 3, PaddingHeight: 1, PaddingWidth: 1), quick);
        Measure("3x3 32->32 28x28 p1", new Conv2dShape(32, 32, 28, 28, 3, 3, PaddingHeight: 1, PaddingWidth: 1), quick);
        Measure("3x3 48->48 14x14 p1", new Conv2dShape(48, 48, 14, 14, 3, 3, PaddingHeight: 1, PaddingWidth: 1), quick);
        Measure("3x3 64->64 14x14 p1", new Conv2dShape(64, 64, 14, 14, 3, 3, PaddingHeight: 1, PaddingWidth: 1), quick);
        Measure("3x3 128->128 28x28 p1", new Conv2dShape(128, 128, 28, 28, 3, 3, PaddingHeight: 1, PaddingWidth: 1), quick);
        Measure("3x3 64->64 56x56 p1", new Conv2dShape(64, 64, 56, 56, 3, 3, PaddingHeight: 1, PaddingWidth: 1), quick);
        Measure("3x3 3->16 64x64 p1", new Conv2dShape(3, 16, 64, 64, 3, 3, PaddingHeight: 1, PaddingWidth: 1), quick);
        Measure("5x5 8->16 24x24 p2", new Conv2dShape(8, 16, 24, 24, 5, 5, PaddingHeight: 2, PaddingWidth: 2), quick);
        Measure("mobilenet_v2 dw 144 56x56 3x3 s1 p1", new Conv2dShape(144, 144, 56, 56, 3, 3, PaddingHeight: 1, PaddingWidth: 1, Groups: 144), quick);
        Measure("mobilenet_v2 dw 144 56x56 3x3 s2 p1", new Conv2dShape(144, 144, 56, 56, 3, 3, 2, 2, 1, 1, Groups: 144), quick);
        Measure("mobilenet_v2 pw 24->144 56x56 1x1", new Conv2dShape(24, 144, 56, 56, 1, 1), quick);
        Measure("mobilenet_v2 stem 3->32 224x224 3x3 s2 p1", new Conv2dShape(3, 32, 224, 224, 3, 3, 2, 2, 1, 1), quick);
    }

    private static void Measure(string name, Conv2dShape shape, bool quick)
    {
        var random = new Random(1);
        float[] x = Random(random, shape.InputSize), w = Random(random, shape.WeightCount), bias = Random(random, shape.OutChannels);
        float[] y = new float[shape.OutputSize], scratch = new float[ConvKernels.ScratchFloats(shape)];
        float[] columns = new float[(long)shape.OutHeight * shape.OutWidth * shape.WeightsPerOutChannel];
        double modelGen = Timing.MedianMicroseconds(() => ConvKernels.Conv2d(x, w, bias, y, 1, shape, Activation.Relu, scratch), quick);
        double im2col = Timing.MedianMicroseconds(() => Im2colGemm(x, w, bias, y, shape, columns), quick);
        double naive = Timing.MedianMicroseconds(() => Naive(x, w, bias, y, shape), quick, roundMilliseconds: 20);
        // The algorithms Auto did not take, forced on the same shape in the same run (ratio: their time over Auto's).
        ConvAlgorithm chosen = ConvKernels.Choose(shape, ConvAlgorithm.Auto);
        var others = new System.Text.StringBuilder();
        foreach (ConvAlgorithm other in new[] { ConvAlgorithm.Direct, ConvAlgorithm.Im2col, ConvAlgorithm.Blocked, ConvAlgorithm.Winograd })
        {
            if (other == chosen || (other == ConvAlgorithm.Blocked && shape.StrideWidth * shape.StrideHeight != 1)
                || (other == ConvAlgorithm.Winograd && !ConvWinograd.Handles(shape))) continue;
            float[] otherScratch = new float[ConvKernels.ScratchFloats(shape, other)];
            double time = Timing.MedianMicroseconds(() => ConvKernels.Conv2d(KernelPaths.Best, other, x, w, bias, y, 1, shape,
                Activation.Relu, otherScratch), quick);
            others.Append($" {other} {time:F1} ({time / modelGen:F2}x)");
        }
        Console.WriteLine($"{name,-44} {modelGen,12:F1} {im2col,15:F1} {im2col / modelGen,6:F2}x {naive,10:F1} {naive / modelGen,6:F2}x  {chosen,-9}{others}");
    }

    /// <summary>The peer: im2col with a bounds test per element, the public GEMM per group, then bias and ReLU.</summary>
    private static void Im2colGemm(float[] x, float[] w, float[] bias, float[] y, Conv2dShape s, float[] columns)
    {
        int oh = s.OutHeight, ow = s.OutWidth, k = s.WeightsPerOutChannel, cinG = s.InChannelsPerGroup, coutG = s.OutChannelsPerGroup;
        int positions = oh * ow;
        for (int g = 0; g < s.Groups; g++)
        {
            for (int oy = 0; oy < oh; oy++)
                for (int ox = 0; ox < ow; ox++)
                    for (int c = 0; c < cinG; c++)
                        for (int ky = 0; ky < s.KernelHeight; ky++)
                            for (int kx = 0; kx < s.KernelWidth; kx++)
                            {
                                int iy = oy * s.StrideHeight - s.PaddingHeight + ky * s.DilationHeight;
                                int ix = ox * s.StrideWidth - s.PaddingWidth + kx * s.DilationWidth;
                                bool inside = (uint)iy < (uint)s.InHeight && (uint)ix < (uint)s.InWidth;
                                columns[(oy * ow + ox) * k + (c * s.KernelHeight + ky) * s.KernelWidth + kx] =
                                    inside ? x[((g * cinG + c) * s.InHeight + iy) * s.InWidth + ix] : 0f;
                            }
            DenseKernels.Float32(w.AsSpan(g * coutG * k, coutG * k), columns.AsSpan(0, positions * k), [],
                y.AsSpan(g * coutG * positions, coutG * positions), coutG, k, positions, Activation.None);
        }
        for (int co = 0; co < s.OutChannels; co++)
            for (int p = 0; p < positions; p++)
                y[co * positions + p] = Math.Max(y[co * positions + p] + bias[co], 0f);
    }

    private static void Naive(float[] x, float[] w, float[] bias, float[] y, Conv2dShape s)
    {
        int oh = s.OutHeight, ow = s.OutWidth, cinG = s.InChannelsPerGroup, coutG = s.OutChannelsPerGroup;
        for (int co = 0; co < s.OutChannels; co++)
            for (int oy = 0; oy < oh; oy++)
                for (int ox = 0; ox < ow; ox++)
                {
                    float sum = bias[co];
                    for (int c = 0; c < cinG; c++)
                        for (int ky = 0; ky < s.KernelHeight; ky++)
                            for (int kx = 0; kx < s.KernelWidth; kx++)
                            {
                                int iy = oy * s.StrideHeight - s.PaddingHeight + ky * s.DilationHeight;
                                int ix = ox * s.StrideWidth - s.PaddingWidth + kx * s.DilationWidth;
                                if ((uint)iy < (uint)s.InHeight && (uint)ix < (uint)s.InWidth)
                                    sum += w[((co * cinG + c) * s.KernelHeight + ky) * s.KernelWidth + kx]
                                        * x[((co / coutG * cinG + c) * s.InHeight + iy) * s.InWidth + ix];
                            }
                    y[(co * oh + oy) * ow + ox] = Math.Max(sum, 0f);
                }
    }

    private static float[] Random(Random random, int length)
    {
        var values = new float[length];
        for (int i = 0; i < length; i++) values[i] = (float)(random.NextDouble() * 2 - 1);
        return values;
    }
}
