using ModelGen.Kernels;

namespace ModelGen.Tests.Kernels;

public class NormKernelTests
{
    /// <summary>PyTorch LayerNorm in double: biased variance, then (x - mean) / sqrt(var + eps) * gamma + beta.</summary>
    private static double[] Reference(float[] x, float[] gamma, float[] beta, int rows, int width, float epsilon)
    {
        var y = new double[rows * width];
        for (int r = 0; r < rows; r++)
        {
            double mean = 0, variance = 0;
            for (int i = 0; i < width; i++) mean += x[r * width + i];
            mean /= width;
            for (int i = 0; i < width; i++) variance += Math.Pow(x[r * width + i] - mean, 2);
            variance /= width;
            for (int i = 0; i < width; i++)
                y[r * width + i] = (x[r * width + i] - mean) / Math.Sqrt(variance + epsilon)
                    * (gamma.Length > 0 ? gamma[i] : 1) + (beta.Length > 0 ? beta[i] : 0);
        }
        return y;
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 7)]
    [InlineData(5, 33)]
    [InlineData(2, 256)]
    [InlineData(4, 785)]
    public void LayerNormMatchesTheReference(int rows, int width)
    {
        var random = new Random(rows * 1000 + width);
        float[] x = KernelTestData.Uniform(random, rows * width, 3f);
        for (int i = 0; i < width; i++) x[i] += 100f; // an offset row: the two-pass variance must not cancel
        float[] gamma = KernelTestData.Uniform(random, width), beta = KernelTestData.Uniform(random, width);
        foreach ((float[] g, float[] b) in new[] { (gamma, beta), ([], []) })
        {
            double[] expected = Reference(x, g, b, rows, width, 1e-5f);
            float[] y = new float[rows * width];
            NormKernels.LayerNorm(x, g, b, y, rows, width, 1e-5f);
            for (int i = 0; i < y.Length; i++)
                Assert.True(Math.Abs(y[i] - expected[i]) <= 1e-6 * Math.Max(1, Math.Abs(expected[i])), $"y[{i}] = {y[i]}, expected {expected[i]}");
            float[] inPlace = (float[])x.Clone();
            NormKernels.LayerNorm(inPlace, g, b, inPlace, rows, width, 1e-5f);
            Assert.Equal(y, inPlace);
        }
    }

    [Fact]
    public void ConstantRowsGiveBeta()
    {
        const int width = 9;
        float[] x = [.. Enumerable.Repeat(0.1f, width), .. Enumerable.Repeat(-3e7f, width), .. Enumerable.Repeat(0f, width)];
        float[] gamma = KernelTestData.Uniform(new Random(1), width), beta = KernelTestData.Uniform(new Random(2), width);
        float[] y = new float[x.Length];
        NormKernels.LayerNorm(x, gamma, beta, y, 3, width, 1e-5f);
        for (int r = 0; r < 3; r++)
            Assert.Equal(beta, y.AsSpan(r * width, width).ToArray());
    }

    [Fact]
    public void BadArgumentsThrowClearly()
    {
        float[] x = new float[12], y = new float[12], affine = new float[4];
        NormKernels.LayerNorm(x, affine, affine, y, 3, 4, 1e-5f);
        Assert.Throws<ArgumentException>("x", () => NormKernels.LayerNorm(x.AsSpan(1), affine, affine, y, 3, 4, 1e-5f));
        Assert.Throws<ArgumentException>("y", () => NormKernels.LayerNorm(x, affine, affine, y.AsSpan(1), 3, 4, 1e-5f));
        Assert.Throws<ArgumentException>("gamma", () => NormKernels.LayerNorm(x, affine.AsSpan(1), affine, y, 3, 4, 1e-5f));
        Assert.Throws<ArgumentException>("beta", () => NormKernels.LayerNorm(x, affine, affine.AsSpan(1), y, 3, 4, 1e-5f));
        Assert.Throws<ArgumentException>("y", () => NormKernels.LayerNorm(x, affine, affine, x.AsSpan(1), 2, 4, 1e-5f));
        Assert.Throws<ArgumentOutOfRangeException>("width", () => NormKernels.LayerNorm(x, affine, affine, y, 3, 0, 1e-5f));
        Assert.Throws<ArgumentOutOfRangeException>("rows", () => NormKernels.LayerNorm(x, affine, affine, y, -1, 4, 1e-5f));
        Assert.Throws<ArgumentOutOfRangeException>("epsilon", () => NormKernels.LayerNorm(x, affine, affine, y, 3, 4, float.NaN));
        Assert.Throws<ArgumentOutOfRangeException>("epsilon", () => NormKernels.LayerNorm(x, affine, affine, y, 3, 4, -1f));
    }
}
