using ModelGen.Kernels;

namespace ModelGen.Tests.Kernels;

public class DenseInt8StaticTests
{
    public static TheoryData<KernelPath> Paths() => KernelTestData.Paths();

    /// <summary>The static rule, written independently: q = clamp(round-half-even(x / scale), ±127), NaN -> 0.</summary>
    private static sbyte QuantizeOne(float x, float scale)
    {
        float quotient = x / scale;
        return float.IsNaN(quotient) ? (sbyte)0 : (sbyte)Math.Clamp(Math.Round(quotient, MidpointRounding.ToEven), -127, 127);
    }

    private static (float[] Y, sbyte[] Xq) Run(KernelPath path, Int8Problem p, float xScale, Activation activation)
    {
        var y = new float[p.Batch * p.N];
        var xq = new sbyte[p.Batch * p.K];
        DenseKernels.Int8Static(path, p.X, xScale, p.W, p.WScales, p.Bias, y, p.Batch, p.K, p.N, activation, xq);
        return (y, xq);
    }

    /// <summary>A scale from 0.3 to 1.5 times max|x| / 127: from heavy clipping to unused range.</summary>
    private static float RandomScale(Int8Problem p, int seed)
    {
        float max = p.X.Max(Math.Abs);
        return max / 127 * (float)(0.3 + new Random(seed).NextDouble() * 1.2);
    }

    /// <summary>Every path against the scalar one, bit for bit: quantized x and outputs, every activation.</summary>
    [Theory]
    [MemberData(nameof(Paths))]
    public void PathMatchesScalarExactly(KernelPath path)
    {
        int c = 0;
        foreach (var (k, n, batch, seed) in KernelTestData.Shapes(80, 7000))
        {
            Activation activation = KernelTestData.Activations[c++ % KernelTestData.Activations.Length];
            var p = Int8Problem.Random(batch, k, n, seed, bias: seed % 3 != 0);
            float xScale = RandomScale(p, seed);
            var expected = Run(KernelPath.Scalar, p, xScale, activation);
            var actual = Run(path, p, xScale, activation);
            Assert.Equal(expected.Xq, actual.Xq);
            Assert.Equal(expected.Y, actual.Y);
        }
    }

    /// <summary>The scalar path against the rule: quantization with the given scale, int dot, dequantization.</summary>
    [Fact]
    public void ScalarFollowsTheQuantizationRule()
    {
        foreach (var (k, n, batch, seed) in KernelTestData.Shapes(30, 8000))
        {
            var p = Int8Problem.Random(batch, k, n, seed);
            float xScale = RandomScale(p, seed);
            var (y, xq) = Run(KernelPath.Scalar, p, xScale, Activation.None);
            for (int b = 0; b < batch; b++)
            {
                var q = new sbyte[k];
                for (int i = 0; i < k; i++) q[i] = QuantizeOne(p.X[b * k + i], xScale);
                Assert.Equal(q, xq[(b * k)..((b + 1) * k)]);
                for (int j = 0; j < n; j++)
                {
                    int dot = 0;
                    for (int i = 0; i < k; i++) dot += q[i] * p.W[j * k + i];
                    Assert.Equal(dot * xScale * p.WScales[j] + p.Bias[j], y[b * n + j]);
                }
            }
        }
    }

    /// <summary>
    /// A one-row batch with xScale = the scale the dynamic kernel computes for that row (max|x| / 127) gives the
    /// dynamic kernel's quantized row and outputs exactly, on every path, every activation.
    /// </summary>
    [Theory]
    [MemberData(nameof(Paths))]
    public void OneRowWithTheDynamicScaleEqualsInt8(KernelPath path)
    {
        int c = 0;
        foreach (var (k, n, _, seed) in KernelTestData.Shapes(60, 9000))
        {
            Activation activation = KernelTestData.Activations[c++ % KernelTestData.Activations.Length];
            var p = Int8Problem.Random(1, k, n, seed, bias: seed % 2 == 0);
            var dynamic = p.Run(path, activation);
            Assert.Equal(p.X.Max(Math.Abs) / 127, dynamic.XScales[0]);
            var fixedScale = Run(path, p, dynamic.XScales[0], activation);
            Assert.Equal(dynamic.Xq, fixedScale.Xq);
            Assert.Equal(dynamic.Y, fixedScale.Y);
        }
    }

    /// <summary>
    /// Values beyond ±127 * xScale clip to ±127 (±Infinity and quotients that overflow float included), halves round to
    /// even, and the outputs use the clipped values.
    /// </summary>
    [Theory]
    [MemberData(nameof(Paths))]
    public void ClipsBeyondTheThresholdAndRoundsHalfToEven(KernelPath path)
    {
        const float scale = 0.5f;
        float[] pattern = [63.5f, 64f, 100f, -100f, 1e30f, -1e30f, float.PositiveInfinity, float.NegativeInfinity,
            0.25f, 0.75f, 1.25f, -0.25f, -0.75f, float.MaxValue, 63.25f, -63.75f, 0f, -0f, float.Epsilon];
        sbyte[] expectedPattern = [127, 127, 127, -127, 127, -127, 127, -127, 0, 2, 2, 0, -2, 127, 126, -127, 0, 0, 0];
        foreach (int k in new[] { 19, 40, 77 })
        {
            const int n = 3;
            var p = Int8Problem.Random(2, k, n, seed: k);
            for (int i = 0; i < p.X.Length; i++) p.X[i] = pattern[i % pattern.Length];
            var (y, xq) = Run(path, p, scale, Activation.None);
            for (int i = 0; i < xq.Length; i++)
                Assert.True(expectedPattern[i % pattern.Length] == xq[i], $"{path} k={k} x[{i}]={p.X[i]}: q={xq[i]}");
            for (int b = 0; b < 2; b++)
                for (int j = 0; j < n; j++)
                {
                    int dot = 0;
                    for (int i = 0; i < k; i++) dot += xq[b * k + i] * p.W[j * k + i];
                    Assert.Equal(dot * scale * p.WScales[j] + p.Bias[j], y[b * n + j]);
                }
        }

        // A subnormal scale makes ordinary values overflow the quotient to ±Infinity: they clip too.
        var tiny = Int8Problem.Random(1, 50, 2, seed: 1);
        var (_, tinyQ) = Run(path, tiny, float.Epsilon, Activation.None);
        for (int i = 0; i < 50; i++) Assert.Equal(tiny.X[i] > 0 ? 127 : -127, tinyQ[i]);
    }

    /// <summary>A NaN poisons its own row's outputs (xq 0 where it was) and no other row's.</summary>
    [Theory]
    [MemberData(nameof(Paths))]
    public void NaNRowGivesNaNOutputsForThatRowOnly(KernelPath path)
    {
        var p = Int8Problem.Random(4, 70, 9, seed: 2);
        float xScale = RandomScale(p, 2);
        var clean = Run(path, p, xScale, Activation.Relu);
        p.X[70 + 69] = float.NaN;
        p.X[210] = float.NaN;
        var (y, xq) = Run(path, p, xScale, Activation.Relu);
        Assert.Equal(0, xq[70 + 69]);
        Assert.Equal(0, xq[210]);
        Assert.All(y[9..18].Concat(y[27..36]), v => Assert.True(float.IsNaN(v)));
        Assert.Equal(clean.Y[..9], y[..9]);
        Assert.Equal(clean.Y[18..27], y[18..27]);
    }

    /// <summary>The quantizer alone on every length 0..100 with special values: every path equals the scalar one.</summary>
    [Theory]
    [MemberData(nameof(Paths))]
    public void QuantizerMatchesScalarOnEveryLength(KernelPath path)
    {
        var random = new Random(11);
        float[] specials = [float.NaN, float.PositiveInfinity, float.NegativeInfinity, 1e38f, -3e-45f, 0.5f, 1.5f, -2.5f];
        for (int length = 0; length <= 100; length++)
            foreach (float scale in new[] { 0.01f, 1f, 3e-40f })
                foreach (bool withSpecials in new[] { false, true })
                {
                    float[] x = KernelTestData.Uniform(random, length, 2f);
                    if (withSpecials && length > 0)
                        x[random.Next(length)] = specials[random.Next(specials.Length)];
                    sbyte[] expected = new sbyte[length], actual = new sbyte[length];
                    bool expectedNaN = Int8StaticQuantizer.Quantize(KernelPath.Scalar, x, expected, scale);
                    bool actualNaN = Int8StaticQuantizer.Quantize(path, x, actual, scale);
                    Assert.Equal(expected, actual);
                    Assert.Equal(expectedNaN, actualNaN);
                    Assert.Equal(x.Any(float.IsNaN), actualNaN);
                }
    }

    [Fact]
    public void RejectsBadScalesAndShortScratch()
    {
        var p = Int8Problem.Random(2, 10, 3, seed: 1);
        var y = new float[6];
        foreach (float bad in new[] { 0f, -0f, -1f, float.NaN, float.PositiveInfinity, float.NegativeInfinity })
        {
            var e = Assert.Throws<ArgumentOutOfRangeException>(() =>
                DenseKernels.Int8Static(p.X, bad, p.W, p.WScales, p.Bias, y, 2, 10, 3, Activation.None, new sbyte[20]));
            Assert.Equal("xScale", e.ParamName);
        }

        var shortXq = Assert.Throws<ArgumentException>(() =>
            DenseKernels.Int8Static(p.X, 0.1f, p.W, p.WScales, p.Bias, y, 2, 10, 3, Activation.None, new sbyte[19]));
        Assert.Equal("xq", shortXq.ParamName);
        var shortScales = Assert.Throws<ArgumentException>(() =>
            DenseKernels.Int8Static(p.X, 0.1f, p.W, p.WScales.AsSpan(0, 2), p.Bias, y, 2, 10, 3, Activation.None, new sbyte[20]));
        Assert.Equal("wScales", shortScales.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            DenseKernels.Int8Static(p.X, 0.1f, p.W, p.WScales, p.Bias, y, 2, 10, 3, (Activation)99, new sbyte[20]));
        Assert.Throws<ArgumentException>(() =>
            DenseKernels.Int8Static(p.X, 0.1f, p.W, p.WScales, p.Bias, y.AsSpan(0, 5), 2, 10, 3, Activation.None, new sbyte[20]));
    }

    /// <summary>No allocation on any path, GEMV and tiled batches, every activation.</summary>
    [Theory]
    [MemberData(nameof(Paths))]
    public void DoesNotAllocate(KernelPath path)
    {
        var p = Int8Problem.Random(70, 45, 19, seed: 5);
        var y = new float[70 * 19];
        var xq = new sbyte[70 * 45];

        void Calls()
        {
            for (int i = 0; i < 60; i++)
            {
                int batch = i % 3 == 0 ? 1 : i % 3 == 1 ? 5 : 70;
                DenseKernels.Int8Static(path, p.X, 0.02f, p.W, p.WScales, p.Bias, y, batch, 45, 19, (Activation)(i % 6), xq);
                if (path == KernelPaths.Best)
                    DenseKernels.Int8Static(p.X, 0.02f, p.W, p.WScales, p.Bias, y, batch, 45, 19, (Activation)(i % 6), xq);
            }
        }

        Calls();
        AllocationAssert.SteadyStateAllocatesNothing(Calls, $"Int8Static on {path}");
    }
}
