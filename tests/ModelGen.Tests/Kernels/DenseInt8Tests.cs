using ModelGen.Kernels;

namespace ModelGen.Tests.Kernels;

public class DenseInt8Tests
{
    public static TheoryData<KernelPath> Paths() => KernelTestData.Paths();

    /// <summary>The quantization rule, written independently: scale = max|x| / 127, q = round-half-even(x / scale).</summary>
    private static (sbyte[] Q, float Scale) Quantize(ReadOnlySpan<float> row)
    {
        float max = 0;
        foreach (float v in row) max = Math.Max(max, Math.Abs(v));
        float scale = max / 127;
        var q = new sbyte[row.Length];
        if (scale > 0)
            for (int i = 0; i < row.Length; i++)
                q[i] = (sbyte)Math.Clamp(Math.Round(row[i] / scale, MidpointRounding.ToEven), -127, 127);
        return (q, scale);
    }

    /// <summary>
    /// Every path against the scalar one: same quantized x and scales, bit for bit; outputs within a quarter of
    /// xScale * wScale, less than one unit of the int dot product, so the int32 dot products are equal.
    /// (All paths share one dequantization expression, so in fact outputs are bit-equal too.)
    /// </summary>
    [Theory]
    [MemberData(nameof(Paths))]
    public void PathMatchesScalarExactly(KernelPath path)
    {
        int c = 0;
        foreach (var (k, n, batch, seed) in KernelTestData.Shapes(80, 3000))
        {
            Activation activation = KernelTestData.Activations[c++ % KernelTestData.Activations.Length];
            var p = Int8Problem.Random(batch, k, n, seed, bias: seed % 3 != 0);
            var expected = p.Run(KernelPath.Scalar, Activation.None);
            var actual = p.Run(path, Activation.None);
            Assert.Equal(expected.Xq, actual.Xq);
            Assert.Equal(expected.XScales, actual.XScales);
            for (int b = 0; b < batch; b++)
                for (int j = 0; j < n; j++)
                    Assert.True(Math.Abs(actual.Y[b * n + j] - expected.Y[b * n + j]) < 0.25 * expected.XScales[b] * p.WScales[j],
                        $"{path} k={k} n={n} batch={batch} [{b},{j}]: {actual.Y[b * n + j]} vs scalar {expected.Y[b * n + j]}");
            // The activation is the shared scalar function applied to equal inputs.
            Assert.Equal(p.Run(KernelPath.Scalar, activation).Y, p.Run(path, activation).Y);
        }
    }

    /// <summary>
    /// Batch 1 with W over 512 KiB takes the strided 8-row GEMV (<c>DenseInt8Avx2.Strided8</c>): n not a multiple of 8
    /// leaves 4-row and 1-row remainders, k one full step plus a masked one (1000) or only a masked one (1030) past
    /// the unrolled loop; signed and non-negative x. Bit-equal to the scalar path.
    /// </summary>
    [Theory]
    [MemberData(nameof(Paths))]
    public void LargeGemvMatchesScalarExactly(KernelPath path)
    {
        foreach (var (k, n) in new[] { (1000, 533), (1030, 517), (1030, 520) })
            foreach (bool nonNegative in new[] { false, true })
            {
                var p = Int8Problem.Random(1, k, n, seed: k + n);
                if (nonNegative)
                    for (int i = 0; i < k; i++) p.X[i] = Math.Abs(p.X[i]);
                var expected = p.Run(KernelPath.Scalar, Activation.Relu);
                var actual = p.Run(path, Activation.Relu);
                Assert.Equal(expected.Xq, actual.Xq);
                Assert.Equal(expected.Y, actual.Y);
            }
    }

    /// <summary>The scalar path against the rule written out here: quantization, int dot, dequantization.</summary>
    [Fact]
    public void ScalarFollowsTheQuantizationRule()
    {
        foreach (var (k, n, batch, seed) in KernelTestData.Shapes(30, 4000))
        {
            var p = Int8Problem.Random(batch, k, n, seed);
            var (y, xq, xScales) = p.Run(KernelPath.Scalar, Activation.None);
            for (int b = 0; b < batch; b++)
            {
                var (q, scale) = Quantize(p.X.AsSpan(b * k, k));
                Assert.Equal(scale, xScales[b]);
                Assert.Equal(q, xq[(b * k)..((b + 1) * k)]);
                for (int j = 0; j < n; j++)
                {
                    int dot = 0;
                    for (int i = 0; i < k; i++) dot += q[i] * p.W[j * k + i];
                    Assert.Equal(dot * scale * p.WScales[j] + p.Bias[j], y[b * n + j]);
                }
            }
        }
    }

    [Fact]
    public void RoundsHalfToEvenAndClamps()
    {
        // max |x| = 254: scale 2; x / 2 = 127, 0.5, 1.5, -0.5, -1.5, 2.5, -127.
        float[] x = [254f, 1f, 3f, -1f, -3f, 5f, -254f];
        foreach (KernelPath path in KernelPaths.Supported)
        {
            var xq = new sbyte[7];
            var xScales = new float[1];
            DenseKernels.Int8(path, x, new sbyte[7], [1f], [], new float[1], 1, 7, 1, Activation.None, xq, xScales);
            Assert.Equal(2f, xScales[0]);
            Assert.Equal([127, 0, 2, 0, -2, 2, -127], xq);
        }
    }

    /// <summary>
    /// Against fp32 arithmetic on the dequantized weights: |x_i - q_i s| &lt;= s/2 (plus the division's rounding), so
    /// |y - y_ref| &lt;= wScale * s * (1/2 + 2e-5) * sum |w_i|, plus ~3 roundings of the fp32 dequantization.
    /// </summary>
    [Theory]
    [MemberData(nameof(Paths))]
    public void WithinQuantizationErrorOfFloatReference(KernelPath path)
    {
        foreach (var (k, n, batch, seed) in KernelTestData.Shapes(30, 5000))
        {
            var p = Int8Problem.Random(batch, k, n, seed);
            var (y, _, xScales) = p.Run(path, Activation.None);
            for (int b = 0; b < batch; b++)
                for (int j = 0; j < n; j++)
                {
                    double exact = p.Bias[j], sumW = 0, magnitude = Math.Abs(p.Bias[j]);
                    for (int i = 0; i < k; i++)
                    {
                        double w = (double)p.W[j * k + i] * p.WScales[j];
                        exact += p.X[b * k + i] * w;
                        sumW += Math.Abs(w);
                        magnitude += Math.Abs(p.X[b * k + i] * w);
                    }
                    double bound = xScales[b] * (0.5 + 2e-5) * sumW + 4 * Math.Pow(2, -24) * (magnitude + sumW * xScales[b]);
                    Assert.True(Math.Abs(y[b * n + j] - exact) <= bound, $"k={k} n={n} [{b},{j}]: {y[b * n + j]} vs {exact}, bound {bound}");
                }
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void AllZeroRowGivesActivatedBias(KernelPath path)
    {
        var p = Int8Problem.Random(3, 70, 9, seed: 1);
        Array.Clear(p.X, 70, 70);
        foreach (Activation activation in KernelTestData.Activations)
        {
            var (y, xq, xScales) = p.Run(path, activation);
            Assert.Equal(0f, xScales[1]);
            Assert.All(xq[70..140], q => Assert.Equal(0, q));
            for (int j = 0; j < 9; j++)
                Assert.Equal(ActivationFunctions.Apply(p.Bias[j], activation), y[9 + j]);
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void NonFiniteRowGivesNaNOutputsForThatRowOnly(KernelPath path)
    {
        var p = Int8Problem.Random(4, 70, 9, seed: 2);
        p.X[70 + 69] = float.NaN;
        p.X[140 + 3] = float.NegativeInfinity;
        var (y, xq, xScales) = p.Run(path, Activation.Relu);
        Assert.True(float.IsNaN(xScales[1]) && float.IsNaN(xScales[2]));
        Assert.All(xq[70..210], q => Assert.Equal(0, q));
        Assert.All(y[9..27], v => Assert.True(float.IsNaN(v)));
        Assert.All(y[..9].Concat(y[27..]), v => Assert.False(float.IsNaN(v)));
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void ExtremeWeightsAndInputsAreExact(KernelPath path)
    {
        // Every weight -128 and every q = ±127: the largest products, where int16 saturation would show.
        const int k = 100, n = 6, batch = 5;
        var p = Int8Problem.Random(batch, k, n, seed: 3, bias: false);
        Array.Fill(p.W, (sbyte)-128);
        for (int i = 0; i < p.X.Length; i++) p.X[i] = i % 3 == 0 ? -5f : 5f;
        var (y, xq, xScales) = p.Run(path, Activation.None);
        for (int b = 0; b < batch; b++)
            for (int j = 0; j < n; j++)
            {
                int dot = 0;
                for (int i = 0; i < k; i++) dot += xq[b * k + i] * -128;
                Assert.Equal(dot * xScales[b] * p.WScales[j], y[b * n + j]);
            }
    }

    /// <summary>
    /// Rows with no negative value (after ReLU, image pixels) take a sign-free multiply step on Avx2; mixing them
    /// with signed rows in one batch puts both kinds, and tiles of either kind, side by side.
    /// </summary>
    [Theory]
    [MemberData(nameof(Paths))]
    public void NonNegativeAndSignedRowsMatchScalar(KernelPath path)
    {
        int c = 0;
        foreach (var (k, n, batch, seed) in KernelTestData.Shapes(40, 6000))
        {
            var p = Int8Problem.Random(batch, k, n, seed, bias: seed % 2 == 0);
            int pattern = c++ % 3;
            for (int b = 0; b < batch; b++)
                if (pattern == 0 || b % 3 != pattern)
                    MakeNonNegative(p.X.AsSpan(b * k, k));
            foreach (Activation activation in new[] { Activation.None, Activation.Relu, Activation.Sigmoid })
                Assert.Equal(p.Run(KernelPath.Scalar, activation).Y, p.Run(path, activation).Y);
        }
    }

    /// <summary>W over 1 MiB: the batch-1 kernel prefetches ahead on Avx2. Both row kinds, with and without tiles.</summary>
    [Theory]
    [MemberData(nameof(Paths))]
    public void LargeMatrixMatchesScalar(KernelPath path)
    {
        foreach (int batch in new[] { 1, 3 })
        {
            var p = Int8Problem.Random(batch, 1041, 1029, seed: 7 + batch);
            MakeNonNegative(p.X.AsSpan(0, 1041));
            Assert.Equal(p.Run(KernelPath.Scalar, Activation.Relu6).Y, p.Run(path, Activation.Relu6).Y);
        }
    }

    /// <summary>
    /// Tall batches take packed 16-row panels on Avx2, in k chunks of 1024 whose partial sums wait in y: k over a
    /// chunk and not a multiple of 4, n and batch not multiples of the panel, rows of both kinds.
    /// </summary>
    [Theory]
    [MemberData(nameof(Paths))]
    public void PanelsOverSeveralKChunksMatchScalar(KernelPath path)
    {
        foreach (var (k, n, batch, signedRow) in new[] { (2103, 35, 50, 13), (1100, 16, 48, -1), (2050, 17, 64, 63) })
        {
            var p = Int8Problem.Random(batch, k, n, seed: k + batch);
            for (int b = 0; b < batch; b++)
                if (b != signedRow)
                    MakeNonNegative(p.X.AsSpan(b * k, k));
            Assert.Equal(p.Run(KernelPath.Scalar, Activation.Relu).Y, p.Run(path, Activation.Relu).Y);
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void ExtremeWeightsWithNonNegativeInputsAreExact(KernelPath path)
    {
        // q = 127 against w = -128 everywhere: the largest sign-free pair sums, -32512.
        const int k = 100, n = 6, batch = 5;
        var p = Int8Problem.Random(batch, k, n, seed: 5, bias: false);
        Array.Fill(p.W, (sbyte)-128);
        Array.Fill(p.X, 5f);
        var (y, xq, xScales) = p.Run(path, Activation.None);
        Assert.All(xq, q => Assert.Equal(127, q));
        for (int b = 0; b < batch; b++)
            for (int j = 0; j < n; j++)
                Assert.Equal(k * 127 * -128 * xScales[b] * p.WScales[j], y[b * n + j]);
    }

    private static void MakeNonNegative(Span<float> row)
    {
        for (int i = 0; i < row.Length; i++) row[i] = Math.Abs(row[i]);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void LargeMagnitudesQuantizeRelatively(KernelPath path)
    {
        var p = Int8Problem.Random(2, 50, 4, seed: 4, bias: false);
        for (int i = 0; i < p.X.Length; i++) p.X[i] *= 1e35f;
        var small = Int8Problem.Random(2, 50, 4, seed: 4, bias: false);
        var (y, _, _) = p.Run(path, Activation.None);
        var (ySmall, _, _) = small.Run(path, Activation.None);
        for (int i = 0; i < y.Length; i++)
            Assert.Equal(ySmall[i] * 1e35, y[i], 1e-5 * Math.Abs(y[i]));
    }
}
