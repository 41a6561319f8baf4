using ModelGen.Kernels;

namespace ModelGen.Tests.Kernels;

/// <summary>One convolution test case: shape, batch, whether it has a bias, activation, seed.</summary>
internal readonly record struct ConvCase(Conv2dShape Shape, int Batch, bool Bias, Activation Activation, int Seed)
{
    public override string ToString()
    {
        Conv2dShape s = Shape;
        return $"b{Batch} {s.InChannels}->{s.OutChannels} {s.InHeight}x{s.InWidth} k{s.KernelHeight}x{s.KernelWidth} "
            + $"s{s.StrideHeight}x{s.StrideWidth} p{s.PaddingHeight}x{s.PaddingWidth} d{s.DilationHeight}x{s.DilationWidth} "
            + $"g{s.Groups} bias={Bias} {Activation}";
    }
}

/// <summary>Naive double-precision convolution straight from PyTorch's Conv2d definition, and the cases it is checked on.</summary>
internal static class ConvReference
{
    /// <summary>
    /// y[b, co, oy, ox] = act(bias[co] + sum over ci of co's group, ky, kx of
    /// w[co, ci - group start, ky, kx] * x[b, ci, oy s - p + ky d, ox s - p + kx d]), x zero outside the input.
    /// Also returns, per output, the sum of the absolute values of the terms: the scale of its rounding error.
    /// </summary>
    public static (double[] Y, double[] Magnitude) Conv2d(float[] x, float[] w, float[] bias, int batch, Conv2dShape s,
        Activation activation)
    {
        int oh = s.OutHeight, ow = s.OutWidth, cinG = s.InChannels / s.Groups, coutG = s.OutChannels / s.Groups;
        var y = new double[batch * s.OutChannels * oh * ow];
        var magnitude = new double[y.Length];
        for (int b = 0; b < batch; b++)
            for (int co = 0; co < s.OutChannels; co++)
            {
                int g = co / coutG;
                for (int oy = 0; oy < oh; oy++)
                    for (int ox = 0; ox < ow; ox++)
                    {
                        double sum = bias.Length > 0 ? bias[co] : 0, abs = Math.Abs(sum);
                        for (int c = 0; c < cinG; c++)
                        {
                            int ci = g * cinG + c;
                            for (int ky = 0; ky < s.KernelHeight; ky++)
                                for (int kx = 0; kx < s.KernelWidth; kx++)
                                {
                                    int iy = oy * s.StrideHeight - s.PaddingHeight + ky * s.DilationHeight;
                                    int ix = ox * s.StrideWidth - s.PaddingWidth + kx * s.DilationWidth;
                                    if (iy < 0 || iy >= s.InHeight || ix < 0 || ix >= s.InWidth) continue;
                                    double term = (double)w[((co * cinG + c) * s.KernelHeight + ky) * s.KernelWidth + kx]
                                        * x[((b * s.InChannels + ci) * s.InHeight + iy) * s.InWidth + ix];
                                    sum += term;
                                    abs += Math.Abs(term);
                                }
                        }
                        int index = ((b * s.OutChannels + co) * oh + oy) * ow + ox;
                        y[index] = ReferenceMath.Activate(sum, activation);
                        magnitude[index] = abs;
                    }
            }
        return (y, magnitude);
    }

    /// <summary>
    /// Hand-picked shapes (the reference models' layers, corner cases) followed by seeded random ones over kernel
    /// 1/3/5, stride 1/2, padding 0/1/2, dilation 1/2, groups 1/2/depthwise, batch 1..3, odd sizes.
    /// </summary>
    public static IEnumerable<ConvCase> Cases(int randomCount, int seed)
    {
        int s = seed;
        // fashion_cnn conv1 and conv2 (smaller batch), MobileNetV2 depthwise stride 1 and 2 and a pointwise 1x1.
        yield return new(new(1, 16, 28, 28, 3, 3, PaddingHeight: 1, PaddingWidth: 1), 2, true, Activation.Relu, s++);
        yield return new(new(16, 32, 14, 14, 3, 3, PaddingHeight: 1, PaddingWidth: 1), 1, true, Activation.Relu, s++);
        yield return new(new(24, 24, 17, 19, 3, 3, 1, 1, 1, 1, Groups: 24), 2, true, Activation.Relu6, s++);
        yield return new(new(24, 24, 17, 19, 3, 3, 2, 2, 1, 1, Groups: 24), 1, false, Activation.Relu6, s++);
        yield return new(new(16, 24, 9, 11, 1, 1), 3, true, Activation.None, s++);
        yield return new(new(3, 8, 15, 13, 3, 3, 2, 2, 1, 1), 1, true, Activation.Relu6, s++);
        // Widths under one vector, exactly one vector, one past.
        foreach (int width in new[] { 1, 3, 4, 5, 8, 9, 17 })
            yield return new(new(2, 3, 5, width, 3, 3, PaddingHeight: 1, PaddingWidth: 1), 2, true, Activation.None, s++);
        // A 1x1 input with a kernel wider than it, all padding but the centre; a non-square kernel; depthwise with a multiplier.
        yield return new(new(2, 2, 1, 1, 3, 3, PaddingHeight: 1, PaddingWidth: 1), 1, true, Activation.Tanh, s++);
        yield return new(new(3, 4, 7, 9, 1, 5, 1, 2, 0, 2, 1, 2), 2, false, Activation.Gelu, s++);
        yield return new(new(4, 8, 7, 7, 3, 3, PaddingHeight: 1, PaddingWidth: 1, Groups: 4), 1, true, Activation.Sigmoid, s++);
        // GEMM edges: a 1x1 over the planes as they are with output rows not a multiple of the 4-row tile, grouped 1x1s
        // (plain and strided), and 360 weights per output channel (two of the GEMM's 256-row K blocks).
        yield return new(new(33, 18, 7, 9, 1, 1), 2, true, Activation.Relu6, s++);
        yield return new(new(12, 18, 7, 9, 1, 1, Groups: 3), 1, true, Activation.Relu, s++);
        yield return new(new(12, 6, 9, 8, 1, 1, 2, 2, 0, 0, Groups: 2), 1, false, Activation.None, s++);
        yield return new(new(40, 6, 9, 7, 3, 3, PaddingHeight: 1, PaddingWidth: 1), 1, true, Activation.None, s++);

        var random = new Random(seed);
        int[] kernels = [1, 3, 5], strides = [1, 2], paddings = [0, 1, 2], dilations = [1, 2];
        for (int made = 0; made < randomCount;)
        {
            int kind = random.Next(3); // 0: groups 1, 1: groups 2, 2: depthwise
            int groups = kind == 0 ? 1 : kind == 1 ? 2 : 1 + random.Next(6);
            int cin = kind == 2 ? groups : groups * (1 + random.Next(5));
            int cout = kind == 2 ? groups : groups * (1 + random.Next(12)); // both sides of the direct kernel's 8 per group
            int kh = kernels[random.Next(3)], kw = random.Next(4) == 0 ? kernels[random.Next(3)] : kh;
            var shape = new Conv2dShape(cin, cout, 1 + random.Next(19), 1 + random.Next(23), kh, kw,
                strides[random.Next(2)], strides[random.Next(2)], paddings[random.Next(3)], paddings[random.Next(3)],
                dilations[random.Next(2)], dilations[random.Next(2)], groups);
            if (shape.Problem is not null) continue; // window larger than the padded input
            made++;
            yield return new(shape, 1 + random.Next(3), random.Next(2) == 0,
                KernelTestData.Activations[random.Next(KernelTestData.Activations.Length)], s++);
        }
    }

    /// <summary>
    /// Convolutions with one input channel per group: MobileNetV2's depthwise shapes (small planes), every plane from
    /// 1 x 1 to 9 x 9 with 3 x 3 kernels over strides 1-3 and padding 0-2, then seeded random ones up to 29 x 31 with
    /// kernels 1-5 (square and not), dilation 1-2, channel multipliers 1-2 and cin = 1 stems.
    /// </summary>
    public static IEnumerable<ConvCase> OneInputChannelCases(int seed)
    {
        int s = seed;
        yield return new(new(96, 96, 29, 31, 3, 3, 2, 2, 1, 1, Groups: 96), 1, true, Activation.Relu6, s++);
        yield return new(new(24, 24, 7, 7, 3, 3, 1, 1, 1, 1, Groups: 24), 2, true, Activation.Relu6, s++);
        yield return new(new(16, 16, 14, 14, 3, 3, 2, 2, 1, 1, Groups: 16), 1, true, Activation.Relu6, s++);
        yield return new(new(1, 16, 28, 28, 3, 3, PaddingHeight: 1, PaddingWidth: 1), 1, true, Activation.Relu, s++);
        Activation[] activations = KernelTestData.Activations;
        for (int size = 1; size <= 9; size++)
            for (int stride = 1; stride <= 3; stride++)
                for (int padding = 0; padding <= 2; padding++)
                {
                    var shape = new Conv2dShape(3, 3, size, size + stride - 1, 3, 3, stride, stride, padding, padding, Groups: 3);
                    if (shape.Problem is null)
                        yield return new(shape, 1, (size + padding) % 2 == 0, activations[(size + stride + padding) % activations.Length], s++);
                }
        var random = new Random(seed);
        for (int made = 0; made < 80;)
        {
            int kh = random.Next(2) == 0 ? 3 : 1 + random.Next(5), kw = random.Next(3) == 0 ? 1 + random.Next(5) : kh;
            int groups = 1 + random.Next(4), multiplier = 1 + random.Next(2);
            bool stem = random.Next(5) == 0;
            var shape = new Conv2dShape(stem ? 1 : groups, stem ? groups * multiplier : groups * multiplier,
                1 + random.Next(29), 1 + random.Next(31), kh, kw, 1 + random.Next(3), 1 + random.Next(3),
                random.Next(3), random.Next(3), 1 + random.Next(2), 1 + random.Next(2), stem ? 1 : groups);
            if (shape.Problem is not null) continue;
            made++;
            yield return new(shape, 1 + random.Next(2), random.Next(2) == 0, activations[random.Next(activations.Length)], s++);
        }
    }

    /// <summary>
    /// Stride-1 convolutions for the blocked kernel: fashion_cnn's conv2, then widths 1-17 and 23, 28, 31 (one- and
    /// two-vector rows, overlapping last vectors, rows narrower than a vector) with input channels 1, 3, 5, 16, 17 and
    /// output channels 1-9, 16, 17 (full 4-channel tiles and the one-channel rest), padding 0-2, 3 x 3, 1 x 3, 2 x 2,
    /// 5 x 5 and padded 1 x 1 windows, dilation 1-2, groups 1-2, with and without bias, every activation.
    /// </summary>
    public static IEnumerable<ConvCase> StrideOneCases(int seed)
    {
        int s = seed;
        yield return new(new(16, 32, 14, 14, 3, 3, PaddingHeight: 1, PaddingWidth: 1), 1, true, Activation.Relu, s++);
        yield return new(new(17, 17, 15, 13, 3, 3, PaddingHeight: 1, PaddingWidth: 1), 2, false, Activation.Relu6, s++);
        Activation[] activations = KernelTestData.Activations;
        int[] widths = [1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 13, 14, 15, 16, 17, 23, 28, 31], inChannels = [1, 3, 5, 16, 17];
        int[] outChannels = [1, 2, 3, 4, 5, 6, 7, 8, 9, 16, 17];
        (int Kh, int Kw)[] windows = [(3, 3), (1, 3), (2, 2), (5, 5), (1, 1)];
        var random = new Random(seed);
        foreach (int width in widths)
            for (int i = 0; i < 6; i++)
            {
                (int kh, int kw) = windows[random.Next(windows.Length)];
                int groups = random.Next(4) == 0 ? 2 : 1, padding = random.Next(3);
                int cin = groups * inChannels[random.Next(inChannels.Length)], cout = groups * outChannels[random.Next(outChannels.Length)];
                if ((kh, kw) == (1, 1) && padding == 0) padding = 1; // unpadded 1 x 1 is the GEMM's pointwise case
                int dilation = random.Next(3) == 0 ? 2 : 1;
                var shape = new Conv2dShape(cin, cout, 1 + random.Next(9), width, kh, kw, 1, 1, padding, padding, dilation, dilation, groups);
                if (shape.Problem is not null) continue;
                yield return new(shape, 1 + random.Next(2), random.Next(2) == 0, activations[(width + i) % activations.Length], s++);
            }
    }

    /// <summary>
    /// Shapes the Winograd kernel takes (3 x 3, stride 1, one group): every height and width of 1, 2, 3, 5, 7, 13, 14,
    /// 15, 28 with padding 0, 1 and 2 where the window fits (odd sizes leave partial 2 x 2 tiles at the right and bottom
    /// edges; widths past 16 take more than one AVX2 block of tiles), input channels cycling through 1, 3, 16, 17,
    /// output channels through 1, 5, 16, 17, 32, bias on and off, every activation, batch 1 or 2.
    /// </summary>
    public static IEnumerable<ConvCase> WinogradCases(int seed)
    {
        int[] sizes = [1, 2, 3, 5, 7, 13, 14, 15, 28], inChannels = [1, 3, 16, 17], outChannels = [1, 5, 16, 17, 32];
        Activation[] activations = Enum.GetValues<Activation>();
        int i = 0;
        foreach (int height in sizes)
            foreach (int width in sizes)
                for (int padding = 0; padding <= 2; padding++, i++)
                {
                    var shape = new Conv2dShape(inChannels[i % inChannels.Length], outChannels[i / 2 % outChannels.Length], height, width,
                        3, 3, PaddingHeight: padding, PaddingWidth: (padding + i / 3) % 3);
                    if (shape.Problem is not null) continue;
                    yield return new(shape, 1 + i / 7 % 2, i / 5 % 2 == 0, activations[i / 11 % activations.Length], seed + i);
                }
    }

    /// <summary>Random operands of a case; y is filled with NaN so a kernel that leaves an output unwritten fails.</summary>
    public static (float[] X, float[] W, float[] Bias, float[] Y) Operands(ConvCase c)
    {
        var random = new Random(c.Seed);
        Conv2dShape s = c.Shape;
        float[] x = KernelTestData.Uniform(random, c.Batch * s.InputSize);
        float[] w = KernelTestData.Uniform(random, s.WeightCount, 0.5f);
        float[] bias = c.Bias ? KernelTestData.Uniform(random, s.OutChannels) : [];
        float[] y = Enumerable.Repeat(float.NaN, c.Batch * s.OutputSize).ToArray();
        return (x, w, bias, y);
    }
}
