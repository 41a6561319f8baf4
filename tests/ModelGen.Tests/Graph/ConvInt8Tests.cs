using ModelGen.Graph;
using ModelGen.Kernels;
using ModelGen.Tests.Kernels;

namespace ModelGen.Tests.Graph;

public class ConvInt8Tests
{
    public static TheoryData<KernelPath> Paths() => KernelTestData.Paths();

    /// <summary>
    /// Every path, on one-group shapes of the shared convolution cases, bit for bit against the definition: a naive
    /// im2col, the scalar int8 dense kernel, a naive transpose.
    /// </summary>
    [Theory]
    [MemberData(nameof(Paths))]
    public void MatchesIm2colThenScalarInt8Dense(KernelPath path)
    {
        foreach (ConvCase c in ConvReference.Cases(40, 3).Where(c => c.Shape.Groups == 1))
        {
            Conv2dShape s = c.Shape;
            var random = new Random(c.Seed);
            float[] x = KernelTestData.Uniform(random, c.Batch * s.InputSize);
            sbyte[] w = [.. KernelTestData.Int8Weights(random, s.WeightCount).Select(v => (sbyte)Math.Max((int)v, -127))];
            float[] scales = KernelTestData.Uniform(random, s.OutChannels, 0.01f).Select(Math.Abs).ToArray();
            float[] bias = c.Bias ? KernelTestData.Uniform(random, s.OutChannels) : [];
            var scratch = new byte[ConvInt8.ScratchBytes(s)];
            var y = new float[c.Batch * s.OutputSize];
            ConvInt8.Conv2d(path, x, w, scales, bias, y, c.Batch, s, c.Activation, scratch);

            int positions = s.OutHeight * s.OutWidth, k = s.WeightsPerOutChannel;
            var expected = new float[y.Length];
            for (int b = 0; b < c.Batch; b++)
            {
                var columns = new float[positions * k];
                for (int p = 0; p < positions; p++)
                    for (int ci = 0, j = 0; ci < s.InChannels; ci++)
                        for (int ky = 0; ky < s.KernelHeight; ky++)
                            for (int kx = 0; kx < s.KernelWidth; kx++, j++)
                            {
                                int iy = p / s.OutWidth * s.StrideHeight - s.PaddingHeight + ky * s.DilationHeight;
                                int ix = p % s.OutWidth * s.StrideWidth - s.PaddingWidth + kx * s.DilationWidth;
                                columns[p * k + j] = iy < 0 || iy >= s.InHeight || ix < 0 || ix >= s.InWidth ? 0
                                    : x[((b * s.InChannels + ci) * s.InHeight + iy) * s.InWidth + ix];
                            }
                var gemm = new float[positions * s.OutChannels];
                DenseKernels.Int8(KernelPath.Scalar, columns, w, scales, bias, gemm, positions, k, s.OutChannels, c.Activation,
                    new sbyte[positions * k], new float[positions]);
                for (int p = 0; p < positions; p++)
                    for (int co = 0; co < s.OutChannels; co++)
                        expected[b * s.OutputSize + co * positions + p] = gemm[p * s.OutChannels + co];
            }
            Assert.True(expected.SequenceEqual(y), $"{c} on {path}");
        }
    }

    /// <summary>
    /// The static variant, every path, bit for bit against the definition with one calibrated scale: a naive im2col
    /// quantized as <c>clamp(round-half-even(x / scale), -127, 127)</c> (the scale is 0.6 of max|x| / 127, so the
    /// largest inputs clip), integer dot products, then <c>dot * scale * wScale + bias</c> and the activation.
    /// </summary>
    [Theory]
    [MemberData(nameof(Paths))]
    public void StaticMatchesIm2colQuantizedWithTheFixedScale(KernelPath path)
    {
        int cases = 0;
        foreach (ConvCase c in ConvReference.Cases(40, 3).Where(c => c.Shape.Groups == 1))
        {
            Conv2dShape s = c.Shape;
            var random = new Random(c.Seed + 1);
            float[] x = KernelTestData.Uniform(random, c.Batch * s.InputSize);
            sbyte[] w = [.. KernelTestData.Int8Weights(random, s.WeightCount).Select(v => (sbyte)Math.Max((int)v, -127))];
            float[] scales = KernelTestData.Uniform(random, s.OutChannels, 0.01f).Select(Math.Abs).ToArray();
            float[] bias = c.Bias ? KernelTestData.Uniform(random, s.OutChannels) : [];
            float xScale = 0.6f * x.Max(Math.Abs) / 127f;
            var scratch = new byte[ConvInt8.ScratchBytes(s)];
            var y = new float[c.Batch * s.OutputSize];
            ConvInt8.Conv2dStatic(path, x, xScale, w, scales, bias, y, c.Batch, s, c.Activation, scratch);

            int positions = s.OutHeight * s.OutWidth, k = s.WeightsPerOutChannel;
            var expected = new float[y.Length];
            for (int b = 0; b < c.Batch; b++)
                for (int p = 0; p < positions; p++)
                    for (int co = 0; co < s.OutChannels; co++)
                    {
                        int dot = 0;
                        for (int ci = 0, j = 0; ci < s.InChannels; ci++)
                            for (int ky = 0; ky < s.KernelHeight; ky++)
                                for (int kx = 0; kx < s.KernelWidth; kx++, j++)
                                {
                                    int iy = p / s.OutWidth * s.StrideHeight - s.PaddingHeight + ky * s.DilationHeight;
                                    int ix = p % s.OutWidth * s.StrideWidth - s.PaddingWidth + kx * s.DilationWidth;
                                    float v = iy < 0 || iy >= s.InHeight || ix < 0 || ix >= s.InWidth ? 0
                                        : x[((b * s.InChannels + ci) * s.InHeight + iy) * s.InWidth + ix];
                                    int q = (int)Math.Clamp(MathF.Round(v / xScale, MidpointRounding.ToEven), -127, 127);
                                    dot += q * w[co * k + j];
                                }
                        float value = dot * xScale * scales[co] + (c.Bias ? bias[co] : 0);
                        expected[b * s.OutputSize + co * positions + p] = ActivationFunctions.Apply(value, c.Activation);
                    }
            for (int i = 0; i < y.Length; i++)
                Assert.True(expected[i] == y[i] || Math.Abs(expected[i] - y[i]) <= 1e-6f * Math.Max(1, Math.Abs(expected[i])),
                    $"{c} on {path}: [{i}] {y[i]} vs {expected[i]}");
            cases++;
        }
        Assert.True(cases > 10);
    }

    /// <summary>
    /// The static variant over the same scratch is exactly the int8 GEMM path of <see cref="DenseKernels.Int8Static"/>
    /// on the positions: bit-equal to the scalar static dense kernel over a naive im2col.
    /// </summary>
    [Theory]
    [MemberData(nameof(Paths))]
    public void StaticMatchesIm2colThenScalarInt8StaticDense(KernelPath path)
    {
        foreach (ConvCase c in ConvReference.Cases(40, 3).Where(c => c.Shape.Groups == 1))
        {
            Conv2dShape s = c.Shape;
            var random = new Random(c.Seed + 2);
            float[] x = KernelTestData.Uniform(random, c.Batch * s.InputSize);
            sbyte[] w = [.. KernelTestData.Int8Weights(random, s.WeightCount).Select(v => (sbyte)Math.Max((int)v, -127))];
            float[] scales = KernelTestData.Uniform(random, s.OutChannels, 0.01f).Select(Math.Abs).ToArray();
            float[] bias = c.Bias ? KernelTestData.Uniform(random, s.OutChannels) : [];
            float xScale = 0.8f * x.Max(Math.Abs) / 127f;
            var y = new float[c.Batch * s.OutputSize];
            ConvInt8.Conv2dStatic(path, x, xScale, w, scales, bias, y, c.Batch, s, c.Activation, new byte[ConvInt8.ScratchBytes(s)]);

            int positions = s.OutHeight * s.OutWidth, k = s.WeightsPerOutChannel;
            var expected = new float[y.Length];
            var columns = new float[positions * k];
            for (int b = 0; b < c.Batch; b++)
            {
                ConvKernels.Im2col(x.AsSpan(b * s.InputSize, s.InputSize), columns, s);
                var gemm = new float[positions * s.OutChannels];
                DenseKernels.Int8Static(KernelPath.Scalar, columns, xScale, w, scales, bias, gemm, positions, k, s.OutChannels,
                    c.Activation, new sbyte[positions * k]);
                for (int p = 0; p < positions; p++)
                    for (int co = 0; co < s.OutChannels; co++)
                        expected[b * s.OutputSize + co * positions + p] = gemm[p * s.OutChannels + co];
            }
            Assert.True(expected.SequenceEqual(y), $"{c} on {path}");
        }
    }

    [Fact]
    public void StaticRejectsAScaleThatIsNotFinitePositive()
    {
        var s = new Conv2dShape(4, 4, 5, 5, 3, 3, PaddingHeight: 1, PaddingWidth: 1);
        float[] x = new float[s.InputSize], y = new float[s.OutputSize], scales = new float[4];
        sbyte[] w = new sbyte[s.WeightCount];
        foreach (float bad in new[] { 0f, -1f, float.NaN, float.PositiveInfinity })
        {
            var error = Assert.Throws<ArgumentOutOfRangeException>(() =>
                ConvInt8.Conv2dStatic(KernelPath.Scalar, x, bad, w, scales, [], y, 1, s, Activation.None, new byte[ConvInt8.ScratchBytes(s)]));
            Assert.Contains("activation scale must be finite and greater than 0", error.Message);
        }
    }

    /// <summary>
    /// Every path transposes bit for bit like the definition, on shapes with edges past whole 8 x 8 and 4 x 4 blocks
    /// and past the 16-wide tiles (1, 3, 7, 9, 17, 49, 67).
    /// </summary>
    [Theory]
    [MemberData(nameof(Paths))]
    public void TransposeMatchesDefinition(KernelPath path)
    {
        int[] sizes = [1, 3, 4, 7, 8, 9, 16, 17, 24, 49, 67];
        var random = new Random(11);
        foreach (int rows in sizes)
            foreach (int cols in sizes)
            {
                float[] source = KernelTestData.Uniform(random, rows * cols);
                var actual = new float[rows * cols + 3];
                ConvInt8.Transpose(path, source, actual, rows, cols);
                for (int r = 0; r < rows; r++)
                    for (int c = 0; c < cols; c++)
                        Assert.True(source[r * cols + c] == actual[c * rows + r], $"{rows} x {cols} at ({r}, {c}) on {path}");
                Assert.True(actual[^3..].All(v => v == 0), $"{rows} x {cols} wrote past rows * cols on {path}");
            }
    }

    /// <summary>
    /// Every path widens int8 weights bit for bit like <see cref="ModelGen.Quantization.Int8Quantizer.DequantizeRows"/>,
    /// on row lengths around the 8- and 16-wide steps (the depthwise 9, odd tails) and the full int8 range.
    /// </summary>
    [Theory]
    [MemberData(nameof(Paths))]
    public void DequantizeIsTheScaledIntegers(KernelPath path)
    {
        var random = new Random(12);
        foreach (int rows in new[] { 1, 3, 5 })
            foreach (int cols in new[] { 1, 7, 8, 9, 15, 16, 17, 27, 33, 96, 161 })
            {
                sbyte[] q = [.. Enumerable.Range(0, rows * cols).Select(_ => (sbyte)random.Next(-128, 128))];
                float[] scales = KernelTestData.Uniform(random, rows, 0.05f);
                float[] expected = [.. q.Select((v, i) => v * scales[i / cols])];
                var actual = new float[rows * cols + 2];
                ConvInt8.Dequantize(path, q, scales, rows, cols, actual);
                Assert.True(expected.SequenceEqual(actual[..^2]), $"{rows} x {cols} on {path}");
                Assert.True(actual[^2..].All(v => v == 0), $"{rows} x {cols} wrote past rows * cols on {path}");
            }
        Assert.Throws<ArgumentException>(() => ConvInt8.Dequantize(path, new sbyte[6], new float[2], 2, 3, new float[5]));
        Assert.Throws<ArgumentException>(() => ConvInt8.Dequantize(path, new sbyte[6], new float[1], 2, 3, new float[6]));
        Assert.Throws<ArgumentException>(() => ConvInt8.Transpose(path, new float[6], new float[5], 2, 3));
    }

    [Fact]
    public void RejectsGroupsShortScratchAndOverlap()
    {
        var s = new Conv2dShape(4, 4, 5, 5, 3, 3, PaddingHeight: 1, PaddingWidth: 1);
        float[] x = new float[s.InputSize], y = new float[s.OutputSize], scales = new float[4];
        sbyte[] w = new sbyte[s.WeightCount];
        Assert.Throws<ArgumentException>(() => ConvInt8.Conv2d(KernelPath.Scalar, x, w, scales, [], y, 1, s with { Groups = 2 }, Activation.None, new byte[1 << 16]));
        Assert.Contains("scratch", Assert.Throws<ArgumentException>(() =>
            ConvInt8.Conv2d(KernelPath.Scalar, x, w, scales, [], y, 1, s, Activation.None, new byte[ConvInt8.ScratchBytes(s) - 1])).Message);
        Assert.Throws<ArgumentException>(() => ConvInt8.Conv2d(KernelPath.Scalar, x, w, scales, [], x, 1, s, Activation.None, new byte[ConvInt8.ScratchBytes(s)]));
    }

    /// <summary>The fp32 convolution's scratch and algorithm agree with what the planner sizes (GraphScratch) on many shapes.</summary>
    [Fact]
    public void ConvKernelsScratchAgreesWithGraphScratch()
    {
        int checkedShapes = 0;
        foreach (ConvCase c in ConvReference.Cases(400, 9))
        {
            Conv2dShape s = c.Shape;
            ConvGeometry g = GraphLayout.Geometry(s);
            Assert.Equal(ConvKernels.ScratchFloats(s), GraphScratch.ConvFloat32Floats(g));
            Assert.Equal(s.OutHeight, g.OutHeight);
            Assert.Equal(s.OutWidth, g.OutWidth);
            checkedShapes++;
        }
        Assert.True(checkedShapes > 400);
    }
}
