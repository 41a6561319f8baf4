using ModelGen.Kernels;

namespace ModelGen.Tests.Kernels;

public class DenseFloatTests
{
    public static TheoryData<FloatFamily, KernelPath> FamiliesAndPaths()
    {
        var data = new TheoryData<FloatFamily, KernelPath>();
        foreach (FloatFamily family in Enum.GetValues<FloatFamily>())
            foreach (KernelPath path in KernelPaths.Supported)
                data.Add(family, path);
        return data;
    }

    public static TheoryData<FloatFamily> Families() => new(Enum.GetValues<FloatFamily>());

    /// <summary>
    /// Every path against the scalar one, on the shape grid with every activation. Both sum the same fp32 products in
    /// different orders, so they differ by at most ~k * 2^-24 * sum |x| |w| (far less in practice); 1e-5 of the
    /// magnitude, times the activations' largest slope (GELU's, 1.13), plus a few ulp for the activation itself.
    /// </summary>
    [Theory]
    [MemberData(nameof(FamiliesAndPaths))]
    public void PathMatchesScalar(FloatFamily family, KernelPath path)
    {
        int c = 0;
        foreach (var (k, n, batch, seed) in KernelTestData.Shapes(60, 1000 + (int)family))
        {
            Activation activation = KernelTestData.Activations[c++ % KernelTestData.Activations.Length];
            var p = FloatProblem.Random(family, batch, k, n, seed, bias: seed % 3 != 0);
            float[] expected = p.Run(KernelPath.Scalar, activation);
            float[] actual = p.Run(path, activation);
            for (int b = 0; b < batch; b++)
                for (int j = 0; j < n; j++)
                {
                    double tolerance = 1.2e-5 * p.Reference(b, j).Magnitude + 5e-7 * Math.Abs(expected[b * n + j]) + 1e-30;
                    float e = expected[b * n + j], a = actual[b * n + j];
                    Assert.True(Math.Abs(a - e) <= tolerance,
                        $"{family} {path} k={k} n={n} batch={batch} {activation} [{b},{j}]: {a} vs scalar {e}");
                }
        }
    }

    /// <summary>
    /// Batch 1 with W from L3 (over 512 KiB: adjacent rows) and from memory (over 4 MiB at every element size: the GEMV
    /// over 4 quarters of W): n not a multiple of 4 leaves single rows, odd k a masked last vector. Tolerance as in
    /// <see cref="PathMatchesScalar"/>.
    /// </summary>
    [Theory]
    [MemberData(nameof(FamiliesAndPaths))]
    public void LargeGemvMatchesScalar(FloatFamily family, KernelPath path)
    {
        foreach (var (k, n) in new[] { (1001, 263), (1024, 520), (1501, 1403) })
        {
            var p = FloatProblem.Random(family, 1, k, n, seed: k + n);
            float[] expected = p.Run(KernelPath.Scalar, Activation.Relu);
            float[] actual = p.Run(path, Activation.Relu);
            for (int j = 0; j < n; j++)
            {
                double tolerance = 1.2e-5 * p.Reference(0, j).Magnitude + 5e-7 * Math.Abs(expected[j]) + 1e-30;
                Assert.True(Math.Abs(actual[j] - expected[j]) <= tolerance,
                    $"{family} {path} k={k} n={n} [{j}]: {actual[j]} vs scalar {expected[j]}");
            }
        }
    }

    /// <summary>
    /// The scalar reference against double arithmetic: sequential fp32 accumulation of k products plus the bias is
    /// within (k + 2) * 2^-24 * (sum |x| |w| + |bias|) of the exact sum; the activation adds its slope and a few ulp.
    /// </summary>
    [Theory]
    [MemberData(nameof(Families))]
    public void ScalarMatchesDoubleReference(FloatFamily family)
    {
        int c = 0;
        foreach (var (k, n, batch, seed) in KernelTestData.Shapes(40, 2000 + (int)family))
        {
            Activation activation = KernelTestData.Activations[c++ % KernelTestData.Activations.Length];
            var p = FloatProblem.Random(family, batch, k, n, seed);
            float[] y = p.Run(KernelPath.Scalar, activation);
            for (int b = 0; b < batch; b++)
                for (int j = 0; j < n; j++)
                {
                    var (value, magnitude) = p.Reference(b, j);
                    double expected = ReferenceMath.Activate(value, activation);
                    double tolerance = 1.13 * (k + 2) * Math.Pow(2, -24) * magnitude + 5e-7 * Math.Abs(expected) + 1e-30;
                    Assert.True(Math.Abs(y[b * n + j] - expected) <= tolerance,
                        $"{family} k={k} n={n} batch={batch} {activation} [{b},{j}]: {y[b * n + j]} vs {expected}");
                }
        }
    }

    [Theory]
    [MemberData(nameof(FamiliesAndPaths))]
    public void EmptyBiasMeansZeroBias(FloatFamily family, KernelPath path)
    {
        var with = FloatProblem.Random(family, 5, 65, 17, seed: 7);
        var without = FloatProblem.FromWeights(family, 5, 65, 17, with.X, with.WDecoded, []);
        float[] y1 = with.Run(path, Activation.None), y0 = without.Run(path, Activation.None);
        for (int b = 0; b < 5; b++)
            for (int j = 0; j < 17; j++)
                Assert.Equal(y0[b * 17 + j] + with.Bias[j], y1[b * 17 + j], 1e-6f);
    }

    [Theory]
    [MemberData(nameof(FamiliesAndPaths))]
    public void LargeMagnitudesStayRelativelyAccurate(FloatFamily family, KernelPath path)
    {
        // Products near 1e36 (fp16 weights top out at 65504, so x carries the magnitude there).
        float wScale = family == FloatFamily.Float16 ? 6e4f : 1e18f, xScale = 1e36f / wScale;
        var random = new Random(11);
        var p = FloatProblem.FromWeights(family, 3, 127, 5, KernelTestData.Uniform(random, 3 * 127, xScale),
            KernelTestData.Uniform(random, 5 * 127, wScale), []);
        float[] y = p.Run(path, Activation.None);
        for (int b = 0; b < 3; b++)
            for (int j = 0; j < 5; j++)
            {
                var (value, magnitude) = p.Reference(b, j);
                Assert.True(Math.Abs(y[b * 5 + j] - value) <= 1e-5 * magnitude, $"[{b},{j}]: {y[b * 5 + j]} vs {value}");
            }
    }

    [Theory]
    [MemberData(nameof(FamiliesAndPaths))]
    public void NaNInXPropagatesToItsRowOnly(FloatFamily family, KernelPath path)
    {
        var p = FloatProblem.Random(family, 3, 33, 10, seed: 5);
        p.X[1 * 33 + 32] = float.NaN; // in the masked tail of every vector path
        foreach (Activation activation in KernelTestData.Activations)
        {
            float[] y = p.Run(path, activation);
            for (int j = 0; j < 10; j++)
            {
                Assert.True(float.IsNaN(y[10 + j]), $"{activation} [1,{j}]");
                Assert.False(float.IsNaN(y[j]) || float.IsNaN(y[20 + j]), $"{activation} other rows");
            }
        }
    }

    [Theory]
    [MemberData(nameof(FamiliesAndPaths))]
    public void InfiniteWeightInTheOverlappedTailIsNotCountedTwice(FloatFamily family, KernelPath path)
    {
        // k = 37: the vector paths reload the row's last vector, overlapping already-summed elements (29..31 for
        // 8 lanes, 33..35 for 4). An infinite weight there must contribute once (+Inf), never 0 * Inf = NaN.
        // 5 x 5 covers the 2 x 4 tile, the 4-row GEMV step (5th x row) and the single-row tail (5th W row).
        const int k = 37, n = 5, batch = 5;
        var random = new Random(3);
        float[] w = KernelTestData.Uniform(random, n * k);
        float[] x = KernelTestData.Uniform(random, batch * k);
        for (int i = 0; i < x.Length; i++) x[i] = Math.Abs(x[i]) + 0.1f;
        w[2 * k + 30] = w[3 * k + 34] = w[4 * k + 30] = w[4 * k + 34] = float.PositiveInfinity;
        var p = FloatProblem.FromWeights(family, batch, k, n, x, w, []);
        float[] y = p.Run(path, Activation.None);
        for (int b = 0; b < batch; b++)
            for (int j = 0; j < n; j++)
                Assert.Equal(j >= 2 ? float.PositiveInfinity : p.Reference(b, j).Value, y[b * n + j], 1e-5);
    }

    [Theory]
    [MemberData(nameof(FamiliesAndPaths))]
    public void OutputsBeyondBatchTimesNAreUntouched(FloatFamily family, KernelPath path)
    {
        var p = FloatProblem.Random(family, 2, 40, 3, seed: 9);
        var y = new float[7];
        y[6] = 42f;
        p.Run(path, Activation.None, y);
        Assert.Equal(42f, y[6]);
    }

    [Fact]
    public void Float16SubnormalAndSpecialWeightsAreDecodedExactly()
    {
        // Subnormal, smallest normal, max, negative zero, one: x = 1 picks out each weight.
        ushort[] bits = [0x0001, 0x03FF, 0x0400, 0x7BFF, 0x8000, 0x3C00, 0x8001, 0xFBFF];
        const int k = 8;
        foreach (KernelPath path in KernelPaths.Supported)
        {
            var y = new float[k];
            for (int j = 0; j < k; j++)
            {
                var x = new float[k];
                x[j] = 1f;
                DenseKernels.Float16(path, x, bits, [], y.AsSpan(j, 1), 1, k, 1, Activation.None);
                Assert.Equal((float)BitConverter.UInt16BitsToHalf(bits[j]), y[j]);
            }
        }
    }
}
