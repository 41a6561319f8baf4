using ModelGen.Kernels;

namespace ModelGen.Tests.Kernels;

public class ConvKernelTests
{
    /// <summary>
    /// Float tolerance: fp32 sums of k products differ from the exact sum by at most about k * 2^-24 times the sum of
    /// the terms' magnitudes; the largest k here is 5 * 5 * 5 = 125 (worst case 7.5e-6), and real rounding errors are
    /// far below that bound. 1e-5 of the magnitude, plus 1e-6 for the float activations.
    /// </summary>
    private const double RelativeTolerance = 1e-5, AbsoluteTolerance = 1e-6;

    /// <summary>
    /// Winograd F(2x2, 3x3) sums transformed operands: U and V entries are sums of up to 4 and 16 of the direct terms'
    /// factors, and the output transform adds 9 products of sums, so its rounding error is a few times the direct
    /// kernel's relative to the same magnitude: the largest seen on these cases is 6.2e-6 (the test reports it with
    /// -diagnostics); 2e-5 of the sum of the terms' magnitudes.
    /// </summary>
    private const double WinogradRelativeTolerance = 2e-5;

    public static TheoryData<KernelPath, string> PathsAndAlgorithms()
    {
        var data = new TheoryData<KernelPath, string>();
        foreach (KernelPath path in KernelPaths.Supported)
            foreach (ConvAlgorithm algorithm in Enum.GetValues<ConvAlgorithm>())
                data.Add(path, algorithm.ToString());
        return data;
    }

    public static TheoryData<KernelPath> Paths() => KernelTestData.Paths();

    [Theory]
    [MemberData(nameof(PathsAndAlgorithms))]
    public void MatchesTheDoubleReference(KernelPath path, string algorithmName)
    {
        var algorithm = Enum.Parse<ConvAlgorithm>(algorithmName);
        int checkedCases = 0;
        foreach (ConvCase c in ConvReference.Cases(randomCount: 60, seed: 11))
        {
            if (algorithm == ConvAlgorithm.Direct && c.Shape.KernelHeight * c.Shape.KernelWidth > ConvKernels.DirectMaxTaps)
                continue;
            if (algorithm == ConvAlgorithm.Blocked && !ConvBlocked.Handles(c.Shape))
                continue;
            if (algorithm == ConvAlgorithm.Winograd && !ConvWinograd.Handles(c.Shape))
                continue;
            (float[] x, float[] w, float[] bias, float[] y) = ConvReference.Operands(c);
            float[] scratch = new float[ConvKernels.ScratchFloats(c.Shape, algorithm)];
            ConvKernels.Conv2d(path, algorithm, x, w, bias, y, c.Batch, c.Shape, c.Activation, scratch);
            (double[] expected, double[] magnitude) = ConvReference.Conv2d(x, w, bias, c.Batch, c.Shape, c.Activation);
            for (int i = 0; i < expected.Length; i++)
            {
                double tolerance = (algorithm == ConvAlgorithm.Winograd ? WinogradRelativeTolerance : RelativeTolerance) * magnitude[i]
                    + AbsoluteTolerance;
                if (!(Math.Abs(y[i] - expected[i]) <= tolerance))
                    Assert.Fail($"{c} on {path}/{algorithm}: y[{i}] = {y[i]}, expected {expected[i]} (tolerance {tolerance}).");
            }
            checkedCases++;
        }
        Assert.True(checkedCases > algorithm switch { ConvAlgorithm.Blocked => 25, ConvAlgorithm.Winograd => 3, _ => 70 },
            $"only {checkedCases} cases ran");
    }

    /// <summary>
    /// The blocked kernel on stride-1 shapes (<see cref="ConvReference.StrideOneCases"/>) against the double reference
    /// on every path (see <see cref="AssertForcedAlgorithmMatches"/>).
    /// </summary>
    [Theory]
    [MemberData(nameof(Paths))]
    public void BlockedKernelMatchesTheDoubleReference(KernelPath path) =>
        AssertForcedAlgorithmMatches(path, ConvAlgorithm.Blocked, ConvReference.StrideOneCases(seed: 31), RelativeTolerance, minCases: 80);

    /// <summary>
    /// The Winograd kernel on <see cref="ConvReference.WinogradCases"/> against the double reference on every path, at
    /// <see cref="WinogradRelativeTolerance"/> (see <see cref="AssertForcedAlgorithmMatches"/>).
    /// </summary>
    [Theory]
    [MemberData(nameof(Paths))]
    public void WinogradKernelMatchesTheDoubleReference(KernelPath path) =>
        AssertForcedAlgorithmMatches(path, ConvAlgorithm.Winograd, ConvReference.WinogradCases(seed: 41), WinogradRelativeTolerance, minCases: 200);

    /// <summary>
    /// One input channel per output channel (depthwise with multiplier 1 and 2, cin = 1 stems), the case the direct
    /// kernel's whole-plane 3 x 3 code takes on vector paths: planes from 1 x 1 through 7 x 7 to 29 x 31, strides
    /// 1-3, padding 0-2, dilation 1-2, every activation, against the double reference on every path.
    /// </summary>
    [Theory]
    [MemberData(nameof(Paths))]
    public void OneInputChannelPerOutputMatchesTheDoubleReference(KernelPath path) =>
        AssertForcedAlgorithmMatches(path, ConvAlgorithm.Direct, ConvReference.OneInputChannelCases(seed: 21), RelativeTolerance, minCases: 150);

    /// <summary>
    /// <paramref name="algorithm"/>, forced, against the double reference on every case: scratch starts as NaN (only
    /// the kernel's zeros may be read as padding) with a sentinel past
    /// <see cref="ConvKernels.ScratchFloats(in Conv2dShape, ConvAlgorithm)"/>, and y has one past its end. Reports the
    /// worst error relative to the terms' magnitude.
    /// </summary>
    private static void AssertForcedAlgorithmMatches(KernelPath path, ConvAlgorithm algorithm, IEnumerable<ConvCase> cases,
        double relativeTolerance, int minCases)
    {
        int checkedCases = 0;
        double worst = 0;
        foreach (ConvCase c in cases)
        {
            (float[] x, float[] w, float[] bias, float[] y) = ConvReference.Operands(c);
            float[] scratch = new float[ConvKernels.ScratchFloats(c.Shape, algorithm) + 1];
            scratch.AsSpan().Fill(float.NaN);
            float[] padded = [.. y, 42f];
            ConvKernels.Conv2d(path, algorithm, x, w, bias, padded, c.Batch, c.Shape, c.Activation, scratch.AsSpan(0, scratch.Length - 1));
            Assert.True(float.IsNaN(scratch[^1]), $"{c}: scratch written past ScratchFloats");
            Assert.Equal(42f, padded[^1]);
            (double[] expected, double[] magnitude) = ConvReference.Conv2d(x, w, bias, c.Batch, c.Shape, c.Activation);
            for (int i = 0; i < expected.Length; i++)
            {
                double error = Math.Abs(padded[i] - expected[i]);
                if (magnitude[i] > 0) worst = Math.Max(worst, error / magnitude[i]);
                double tolerance = relativeTolerance * magnitude[i] + AbsoluteTolerance;
                if (!(error <= tolerance))
                    Assert.Fail($"{c} on {path}/{algorithm}: y[{i}] = {padded[i]}, expected {expected[i]} (tolerance {tolerance}).");
            }
            checkedCases++;
        }
        Assert.True(checkedCases > minCases, $"only {checkedCases} cases ran");
        TestContext.Current.SendDiagnosticMessage($"{algorithm} on {path}: worst error / magnitude {worst:E2}");
    }

    /// <summary>The public entry point takes the best path and the automatic algorithm.</summary>
    [Fact]
    public void PublicEntryPointMatchesTheReference()
    {
        foreach (ConvCase c in ConvReference.Cases(randomCount: 10, seed: 5))
        {
            (float[] x, float[] w, float[] bias, float[] y) = ConvReference.Operands(c);
            ConvKernels.Conv2d(x, w, bias, y, c.Batch, c.Shape, c.Activation, new float[ConvKernels.ScratchFloats(c.Shape)]);
            (double[] expected, double[] magnitude) = ConvReference.Conv2d(x, w, bias, c.Batch, c.Shape, c.Activation);
            for (int i = 0; i < expected.Length; i++)
                Assert.True(Math.Abs(y[i] - expected[i]) <= RelativeTolerance * magnitude[i] + AbsoluteTolerance,
                    $"{c}: y[{i}] = {y[i]}, expected {expected[i]}");
        }
    }

    [Fact]
    public void AutoTakesTheDirectKernelForFewOutputChannelsPerGroup()
    {
        // One input channel per group with a 3 x 3 window takes the direct kernel's whole-plane code (fashion_cnn's conv1).
        Assert.Equal(ConvAlgorithm.Direct, ConvKernels.Choose(new Conv2dShape(1, 16, 28, 28, 3, 3), ConvAlgorithm.Auto));
        Assert.Equal(ConvAlgorithm.Blocked, ConvKernels.Choose(new Conv2dShape(1, 16, 28, 28, 5, 5), ConvAlgorithm.Auto));
        Assert.Equal(ConvAlgorithm.Im2col, ConvKernels.Choose(new Conv2dShape(1, 16, 28, 28, 5, 5, 2, 2), ConvAlgorithm.Auto));
        Assert.Equal(ConvAlgorithm.Direct, ConvKernels.Choose(new Conv2dShape(1, 4, 28, 28, 3, 3), ConvAlgorithm.Auto));
        Assert.Equal(ConvAlgorithm.Direct, ConvKernels.Choose(new Conv2dShape(144, 144, 56, 56, 3, 3, Groups: 144), ConvAlgorithm.Auto));
        Assert.Equal(ConvAlgorithm.Direct, ConvKernels.Choose(new Conv2dShape(64, 64, 28, 28, 3, 3, Groups: 32), ConvAlgorithm.Auto));
        Assert.Equal(ConvAlgorithm.Blocked, ConvKernels.Choose(new Conv2dShape(32, 256, 28, 28, 3, 3, Groups: 8), ConvAlgorithm.Auto));
        // Winograd: fashion_cnn's conv2 and larger 3 x 3 stride-1 layers; not few input channels, small planes or
        // tile rows mostly padding.
        Assert.Equal(ConvAlgorithm.Winograd, ConvKernels.Choose(new Conv2dShape(16, 32, 14, 14, 3, 3, PaddingHeight: 1, PaddingWidth: 1), ConvAlgorithm.Auto));
        Assert.Equal(ConvAlgorithm.Winograd, ConvKernels.Choose(new Conv2dShape(128, 128, 28, 28, 3, 3, PaddingHeight: 1, PaddingWidth: 1), ConvAlgorithm.Auto));
        Assert.Equal(ConvAlgorithm.Blocked, ConvKernels.Choose(new Conv2dShape(8, 32, 14, 14, 3, 3, PaddingHeight: 1, PaddingWidth: 1), ConvAlgorithm.Auto));
        Assert.Equal(ConvAlgorithm.Blocked, ConvKernels.Choose(new Conv2dShape(32, 32, 7, 7, 3, 3, PaddingHeight: 1, PaddingWidth: 1), ConvAlgorithm.Auto));
        Assert.Equal(ConvAlgorithm.Blocked, ConvKernels.Choose(new Conv2dShape(16, 32, 18, 18, 3, 3, PaddingHeight: 1, PaddingWidth: 1), ConvAlgorithm.Auto));
        Assert.Equal(ConvAlgorithm.Blocked, ConvKernels.Choose(new Conv2dShape(16, 32, 14, 14, 3, 3, PaddingHeight: 1, PaddingWidth: 1, Groups: 2), ConvAlgorithm.Auto));
        Assert.Equal(ConvAlgorithm.Im2col, ConvKernels.Choose(new Conv2dShape(256, 256, 14, 14, 3, 3, PaddingHeight: 1, PaddingWidth: 1), ConvAlgorithm.Auto));
        Assert.Equal(ConvAlgorithm.Im2col, ConvKernels.Choose(new Conv2dShape(16, 32, 14, 14, 3, 3, 2, 2, 1, 1), ConvAlgorithm.Auto));
        // Past BlockedMaxGroupWeights (64 x 64 x 9 = 36864) the GEMM's blocking wins (Winograd where it applies); a
        // group's share counts.
        Assert.Equal(ConvAlgorithm.Winograd, ConvKernels.Choose(new Conv2dShape(64, 64, 56, 56, 3, 3, PaddingHeight: 1, PaddingWidth: 1), ConvAlgorithm.Auto));
        Assert.Equal(ConvAlgorithm.Im2col, ConvKernels.Choose(new Conv2dShape(64, 64, 56, 56, 3, 3, 1, 1, 2, 2, 2, 2), ConvAlgorithm.Auto));
        Assert.Equal(ConvAlgorithm.Blocked, ConvKernels.Choose(new Conv2dShape(64, 64, 56, 56, 3, 3, 1, 1, 1, 1, Groups: 2), ConvAlgorithm.Auto));
        Assert.Equal(ConvAlgorithm.Im2col, ConvKernels.Choose(new Conv2dShape(32, 64, 14, 14, 1, 1), ConvAlgorithm.Auto));
        // The direct kernel keeps tap offsets on the stack: a 9 x 9 window is im2col's even when asked for directly.
        var wide = new Conv2dShape(1, 1, 9, 9, 9, 9);
        Assert.Equal(ConvAlgorithm.Im2col, ConvKernels.Choose(wide, ConvAlgorithm.Auto));
        Assert.Throws<ArgumentException>("requested", () => ConvKernels.Choose(wide, ConvAlgorithm.Direct));
        Assert.Throws<ArgumentException>("requested", () => ConvKernels.Choose(wide, ConvAlgorithm.Blocked));
        Assert.Throws<ArgumentException>("requested", () => ConvKernels.Choose(new Conv2dShape(4, 8, 9, 9, 3, 3, 2, 1), ConvAlgorithm.Blocked));
        Assert.Throws<ArgumentException>("requested", () => ConvKernels.Choose(new Conv2dShape(4, 8, 9, 9, 3, 3, 2, 1), ConvAlgorithm.Winograd));
        Assert.Throws<ArgumentException>("requested", () => ConvKernels.Choose(new Conv2dShape(4, 8, 9, 9, 5, 5), ConvAlgorithm.Winograd));
        Assert.Throws<ArgumentException>("requested", () => ConvKernels.Choose(new Conv2dShape(4, 8, 9, 9, 3, 3, Groups: 2), ConvAlgorithm.Winograd));
        Assert.Throws<ArgumentException>("requested", () => ConvKernels.Choose(new Conv2dShape(4, 8, 9, 9, 3, 3, PaddingHeight: 3), ConvAlgorithm.Winograd));
        Assert.Throws<ArgumentException>("requested", () => ConvKernels.Choose(new Conv2dShape(4, 8, 9, 9, 3, 3, DilationWidth: 2), ConvAlgorithm.Winograd));
    }

    [Fact]
    public void OutputSizeFollowsPyTorch()
    {
        // floor((in + 2p - d(k - 1) - 1) / s) + 1
        Assert.Equal(28, new Conv2dShape(1, 16, 28, 28, 3, 3, PaddingHeight: 1, PaddingWidth: 1).OutHeight);
        Assert.Equal(56, new Conv2dShape(96, 96, 112, 112, 3, 3, 2, 2, 1, 1, Groups: 96).OutWidth);
        Assert.Equal(3, new Conv2dShape(1, 1, 10, 8, 3, 3, 2, 2, 0, 0, 2, 2).OutHeight); // (10 - 4 - 1) / 2 + 1
        Assert.Equal(2, new Conv2dShape(1, 1, 10, 8, 3, 3, 2, 2, 0, 0, 2, 2).OutWidth);  // (8 - 4 - 1) / 2 + 1
        Assert.Equal(1, new Conv2dShape(1, 1, 1, 1, 3, 3, PaddingHeight: 1, PaddingWidth: 1).OutHeight);
        var shape = new Conv2dShape(4, 8, 10, 10, 3, 3);
        Assert.Equal(5, (shape with { PaddingHeight = 1, PaddingWidth = 1, StrideHeight = 2 }).OutHeight); // (10 + 2 - 3) / 2 + 1 // not stale after `with`
    }

    [Fact]
    public void ShapeProblemsAreNamed()
    {
        Assert.Null(new Conv2dShape(4, 8, 5, 5, 3, 3, Groups: 2).Problem);
        Assert.Contains("Groups (3) must divide", new Conv2dShape(4, 6, 5, 5, 3, 3, Groups: 3).Problem);
        Assert.Contains("Groups (4) must divide", new Conv2dShape(4, 6, 5, 5, 3, 3, Groups: 4).Problem);
        Assert.Contains("output would be empty", new Conv2dShape(1, 1, 2, 5, 3, 3).Problem);
        Assert.Contains("output would be empty", new Conv2dShape(1, 1, 5, 5, 3, 3, DilationHeight: 3).Problem);
        Assert.Contains("Padding", new Conv2dShape(1, 1, 5, 5, 3, 3, PaddingWidth: -1).Problem);
        Assert.Contains("Stride", new Conv2dShape(1, 1, 5, 5, 3, 3, StrideHeight: 0).Problem);
        Assert.Contains("Dilation", new Conv2dShape(1, 1, 5, 5, 3, 3, DilationWidth: 0).Problem);
        Assert.Contains("Channels", new Conv2dShape(0, 1, 5, 5, 3, 3).Problem);
        Assert.Contains("Kernel", new Conv2dShape(1, 1, 5, 5, 0, 3).Problem);
        Assert.Contains("Groups", new Conv2dShape(1, 1, 5, 5, 3, 3, Groups: 0).Problem);
        Assert.Contains("int.MaxValue", new Conv2dShape(50_000, 1, 300, 300, 1, 1).Problem);
    }

    [Fact]
    public void InvalidShapesAndShortSpansThrowClearly()
    {
        var shape = new Conv2dShape(4, 6, 5, 7, 3, 3, PaddingHeight: 1, PaddingWidth: 1, Groups: 2);
        const int batch = 2;
        int xLength = batch * 4 * 5 * 7, wLength = 6 * 2 * 9, yLength = batch * 6 * 5 * 7;
        int scratch = (int)ConvKernels.ScratchFloats(shape);
        void Call(Conv2dShape s, int x = -1, int w = -1, int bias = 6, int y = -1, int scratchLength = -1, int b = batch,
            Activation activation = Activation.None) =>
            ConvKernels.Conv2d(new float[x < 0 ? xLength : x], new float[w < 0 ? wLength : w], new float[bias],
                new float[y < 0 ? yLength : y], b, s, activation, new float[scratchLength < 0 ? scratch : scratchLength]);

        Call(shape);
        Call(shape, bias: 0);
        Call(shape, x: xLength + 5, w: wLength + 1, bias: 9, y: yLength + 3, scratchLength: scratch + 2); // longer spans are fine
        Call(shape, b: 0);

        var e = Assert.Throws<ArgumentException>("shape", () => Call(shape with { Groups = 3 }));
        Assert.Contains("must divide", e.Message);
        Assert.Throws<ArgumentException>("shape", () => Call(shape with { InHeight = 1, PaddingHeight = 0 }));
        Assert.Throws<ArgumentException>("shape", () => ConvKernels.ScratchFloats(shape with { KernelWidth = 0 }));
        e = Assert.Throws<ArgumentException>("x", () => Call(shape, x: xLength - 1));
        Assert.Contains($"batch * in * h * w = {xLength}", e.Message);
        Assert.Throws<ArgumentException>("w", () => Call(shape, w: wLength - 1));
        Assert.Throws<ArgumentException>("bias", () => Call(shape, bias: 5));
        Assert.Throws<ArgumentException>("y", () => Call(shape, y: yLength - 1));
        Assert.Throws<ArgumentException>("scratch", () => Call(shape, scratchLength: scratch - 1));
        Assert.Throws<ArgumentOutOfRangeException>("batch", () => Call(shape, b: -1));
        Assert.Throws<ArgumentOutOfRangeException>("activation", () => Call(shape, activation: (Activation)42));

        float[] buffer = new float[xLength + yLength + scratch];
        Assert.Throws<ArgumentException>("y", () => ConvKernels.Conv2d(buffer.AsSpan(0, xLength), new float[wLength], [],
            buffer.AsSpan(xLength - 1, yLength), batch, shape, Activation.None, new float[scratch]));
        Assert.Throws<ArgumentException>("scratch", () => ConvKernels.Conv2d(buffer.AsSpan(0, xLength), new float[wLength], [],
            new float[yLength], batch, shape, Activation.None, buffer.AsSpan(10, scratch)));
    }

    /// <summary>Both algorithms on every path: the output does not depend on what scratch or y held before.</summary>
    [Theory]
    [MemberData(nameof(Paths))]
    public void StaleScratchAndOutputDoNotLeakIn(KernelPath path)
    {
        var strided = new Conv2dShape(3, 5, 9, 13, 3, 3, 2, 1, 1, 2);
        foreach (ConvAlgorithm algorithm in new[] { ConvAlgorithm.Direct, ConvAlgorithm.Im2col, ConvAlgorithm.Blocked, ConvAlgorithm.Winograd })
        {
            Conv2dShape shape = algorithm switch
            {
                ConvAlgorithm.Blocked => strided with { StrideHeight = 1 },
                ConvAlgorithm.Winograd => strided with { StrideHeight = 1 },
                _ => strided,
            };
            float[] x = KernelTestData.Uniform(new Random(3), 2 * shape.InputSize), w = KernelTestData.Uniform(new Random(4), shape.WeightCount);
            float[] scratch = new float[ConvKernels.ScratchFloats(shape, algorithm)];
            float[] clean = new float[2 * shape.OutputSize], dirty = new float[clean.Length];
            ConvKernels.Conv2d(path, algorithm, x, w, [], clean, 2, shape, Activation.None, scratch);
            scratch.AsSpan().Fill(1e30f);
            dirty.AsSpan().Fill(-7f);
            ConvKernels.Conv2d(path, algorithm, x, w, [], dirty, 2, shape, Activation.None, scratch);
            Assert.Equal(clean, dirty);
        }
    }

    /// <summary>
    /// The GEMM's im2col rows against the definition, bit for bit (pure data movement): widths 1 to 70 (stride 2's
    /// vector gathers of 8 and 4 outputs, their tails, and the last vector stopping short of the row end), strides 1-3,
    /// padding 0-2, dilation 1-2, kernel widths 1-3, row strides 1-2 (stride 1 with outputs as wide as the input is
    /// one shifted copy per row); scratch starts as NaN so an unwritten element shows.
    /// </summary>
    [Theory]
    [MemberData(nameof(Paths))]
    public void Im2colRowsMatchTheDefinition(KernelPath path)
    {
        int checkedShapes = 0;
        for (int width = 1; width <= 70; width++)
            for (int stride = 1; stride <= 3; stride++)
                for (int padding = 0; padding <= 2; padding++)
                    for (int kernel = 1; kernel <= 3; kernel++)
                    for (int strideHeight = 1; strideHeight <= 2; strideHeight++)
                    {
                        int dilation = 1 + (width + kernel) % 2;
                        // Kernel height 2 over 3 rows; stride 1 with "same" width output takes the whole-plane shift.
                        var s = new Conv2dShape(2, 1, 3, width, 2, kernel, strideHeight, stride, padding, padding, 1, dilation);
                        if (s.Problem is not null) continue;
                        float[] x = KernelTestData.Uniform(new Random(width * 31 + stride), s.InputSize);
                        int oh = s.OutHeight, ow = s.OutWidth, positions = oh * ow;
                        float[] columns = new float[s.WeightsPerOutChannel * positions];
                        columns.AsSpan().Fill(float.NaN);
                        ConvKernels.Im2colRows(path, x, columns, s);
                        for (int ci = 0, row = 0; ci < 2; ci++)
                            for (int ky = 0; ky < 2; ky++)
                                for (int kx = 0; kx < kernel; kx++, row++)
                                    for (int oy = 0; oy < oh; oy++)
                                        for (int ox = 0; ox < ow; ox++)
                                        {
                                            int iy = oy * strideHeight - padding + ky, ix = ox * stride - padding + kx * dilation;
                                            float expected = iy >= 0 && iy < 3 && ix >= 0 && ix < width ? x[(ci * 3 + iy) * width + ix] : 0f;
                                            float actual = columns[row * positions + oy * ow + ox];
                                            if (BitConverter.SingleToInt32Bits(actual) != BitConverter.SingleToInt32Bits(expected))
                                                Assert.Fail($"{s} on {path}: row {row}, ({oy}, {ox}) = {actual}, expected {expected}.");
                                        }
                        checkedShapes++;
                    }
        Assert.True(checkedShapes > 2000, $"only {checkedShapes} shapes ran");
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void ConvolutionDoesNotAllocate(KernelPath path)
    {
        var pointwise = new Conv2dShape(6, 10, 7, 9, 3, 3, PaddingHeight: 1, PaddingWidth: 1);
        var depthwise = new Conv2dShape(6, 6, 11, 9, 3, 3, 2, 2, 1, 1, Groups: 6);
        float[] x = KernelTestData.Uniform(new Random(1), 2 * 6 * 11 * 9), w = KernelTestData.Uniform(new Random(2), 10 * 6 * 9);
        float[] bias = new float[10], y = new float[2 * 10 * 7 * 9];
        float[] scratch = new float[Math.Max(ConvKernels.ScratchFloats(pointwise, ConvAlgorithm.Im2col),
            Math.Max(ConvKernels.ScratchFloats(pointwise, ConvAlgorithm.Direct), Math.Max(ConvKernels.ScratchFloats(depthwise),
            Math.Max(ConvKernels.ScratchFloats(pointwise, ConvAlgorithm.Blocked), ConvKernels.ScratchFloats(pointwise, ConvAlgorithm.Winograd)))))];

        void Calls()
        {
            for (int i = 0; i < 20; i++)
            {
                var activation = (Activation)(i % 6);
                ConvKernels.Conv2d(path, ConvAlgorithm.Im2col, x, w, bias, y, 2, pointwise, activation, scratch);
                ConvKernels.Conv2d(path, ConvAlgorithm.Direct, x, w, [], y, 2, pointwise, activation, scratch);
                ConvKernels.Conv2d(path, ConvAlgorithm.Blocked, x, w, bias, y, 2, pointwise, activation, scratch);
                ConvKernels.Conv2d(path, ConvAlgorithm.Winograd, x, w, bias, y, 2, pointwise, activation, scratch);
                ConvKernels.Conv2d(path, x, w, bias.AsSpan(0, 6), y, 1, depthwise, activation, scratch);
                ElementwiseKernels.Add(path, bias, bias, bias, activation);
                if (path == KernelPaths.Best)
                    ConvKernels.Conv2d(x, w, bias, y, 2, pointwise, activation, scratch);
            }
        }

        Calls();
        AllocationAssert.SteadyStateAllocatesNothing(Calls, $"convolutions on {path}");
    }
}
