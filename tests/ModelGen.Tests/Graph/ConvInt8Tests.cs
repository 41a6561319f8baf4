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
            Assert.Equal(ConvKernels.Choose(s, ConvAlgorithm.Auto) == ConvAlgorithm.Direct,
                GraphScratch.ConvIsDirect(s.OutChannelsPerGroup, s.KernelHeight, s.KernelWidth));
            Assert.Equal(s.OutHeight, g.OutHeight);
            Assert.Equal(s.OutWidth, g.OutWidth);
            checkedShapes++;
        }
        Assert.True(checkedShapes > 400);
    }
}
