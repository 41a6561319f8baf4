using ModelGen.Kernels;
using ModelGen.Quantization;
using ModelGen.Tests.Kernels;

namespace ModelGen.Tests.Quantization;

public class BatchNormFoldingTests
{
    private const float Epsilon = 1e-5f;

    private static (float[] Gamma, float[] Beta, float[] Mean, float[] Variance) BatchNorm(Random random, int channels)
    {
        float[] gamma = KernelTestData.Uniform(random, channels, 2f), beta = KernelTestData.Uniform(random, channels);
        float[] mean = KernelTestData.Uniform(random, channels), variance = new float[channels];
        for (int c = 0; c < channels; c++) variance[c] = (float)random.NextDouble() * 3f;
        variance[0] = 0f; // a dead channel: eps alone keeps the division finite
        return (gamma, beta, mean, variance);
    }

    /// <summary>conv(x, W', b') equals BN(conv(x, W, b)) computed in double, with and without a conv bias.</summary>
    [Theory]
    [InlineData(true, 1)]
    [InlineData(false, 1)]
    [InlineData(true, 2)]
    [InlineData(false, 8)]
    public void FoldedConvolutionEqualsConvolutionThenBatchNorm(bool hasBias, int groups)
    {
        var shape = new Conv2dShape(8, 16, 9, 7, 3, 3, PaddingHeight: 1, PaddingWidth: 1, Groups: groups);
        if (groups == 8) shape = shape with { OutChannels = 8 };
        var random = new Random(groups * 2 + (hasBias ? 1 : 0));
        const int batch = 2;
        float[] x = KernelTestData.Uniform(random, batch * shape.InputSize), w = KernelTestData.Uniform(random, shape.WeightCount);
        float[] bias = hasBias ? KernelTestData.Uniform(random, shape.OutChannels) : [];
        (float[] gamma, float[] beta, float[] mean, float[] variance) = BatchNorm(random, shape.OutChannels);

        (double[] conv, double[] magnitude) = ConvReference.Conv2d(x, w, bias, batch, shape, Activation.None);
        float[] folded = (float[])w.Clone(), foldedBias = hasBias ? (float[])bias.Clone() : new float[shape.OutChannels];
        BatchNormFolding.Fold(folded, foldedBias, gamma, beta, mean, variance, Epsilon, shape.OutChannels, shape.WeightsPerOutChannel);
        float[] y = new float[batch * shape.OutputSize];
        ConvKernels.Conv2d(x, folded, foldedBias, y, batch, shape, Activation.None, new float[ConvKernels.ScratchFloats(shape)]);

        int positions = shape.OutHeight * shape.OutWidth;
        for (int i = 0; i < y.Length; i++)
        {
            int c = i / positions % shape.OutChannels;
            double scale = gamma[c] / Math.Sqrt((double)variance[c] + Epsilon);
            double expected = (conv[i] - mean[c]) * scale + beta[c];
            // fp32 rounding of the folded weights and of the sum, both relative to the scaled magnitudes.
            double tolerance = 2e-5 * (magnitude[i] + Math.Abs(mean[c])) * Math.Abs(scale) + 1e-5;
            Assert.True(Math.Abs(y[i] - expected) <= tolerance, $"y[{i}] = {y[i]}, expected {expected} (tolerance {tolerance})");
        }
    }

    [Fact]
    public void FoldsTheFormulaPerChannel()
    {
        float[] w = [1f, 2f, 3f, 4f], bias = [0.5f, 0f];
        BatchNormFolding.Fold(w, bias, [2f, 1f], [0.25f, -1f], [1.5f, 2f], [3f, 0f], 1f, 2, 2);
        // Both scales are 1 (2 / sqrt(3 + 1), 1 / sqrt(0 + 1)): the weights stay, the bias moves by -mean + beta.
        Assert.Equal([1f, 2f, 3f, 4f], w);
        Assert.Equal([(0.5f - 1.5f) * 1f + 0.25f, -2f - 1f], bias);
        w = [1f, -2f];
        bias = [0f];
        BatchNormFolding.Fold(w, bias, [3f], [1f], [2f], [15f], 1f, 1, 2); // scale 3 / 4
        Assert.Equal([0.75f, -1.5f], w);
        Assert.Equal([-2f * 0.75f + 1f], bias);
    }

    [Fact]
    public void BadStatisticsThrowNamingTheChannelAndWriteNothing()
    {
        float[] w = [1f, 2f, 3f, 4f, 5f, 6f], bias = [0f, 0f, 0f];
        float[] ones = [1f, 1f, 1f], zeros = [0f, 0f, 0f];
        void Fold(float[] gamma, float[] mean, float[] variance, float epsilon = Epsilon) =>
            BatchNormFolding.Fold(w, bias, gamma, zeros, mean, variance, epsilon, 3, 2);

        var e = Assert.Throws<ModelFormatException>(() => Fold(ones, zeros, [1f, 1f, -0.5f]));
        Assert.Contains("channel 2", e.Message);
        Assert.Contains("negative", e.Message);
        e = Assert.Throws<ModelFormatException>(() => Fold(ones, [0f, float.NaN, 0f], ones));
        Assert.Contains("mean of channel 1", e.Message);
        e = Assert.Throws<ModelFormatException>(() => Fold([float.PositiveInfinity, 1f, 1f], zeros, ones));
        Assert.Contains("gamma of channel 0", e.Message);
        e = Assert.Throws<ModelFormatException>(() => Fold(ones, zeros, [1f, 0f, 1f], epsilon: 0f));
        Assert.Contains("channel 1", e.Message);
        w[3] = float.NaN;
        e = Assert.Throws<ModelFormatException>(() => Fold(ones, zeros, ones));
        Assert.Contains("Weight 1 of output channel 1", e.Message);
        Assert.Equal([1f, 2f, 3f, float.NaN, 5f, 6f], w); // checked before anything is written
        Assert.Equal([0f, 0f, 0f], bias);
    }

    [Fact]
    public void ShortSpansThrowWithTheirName()
    {
        float[] w = new float[6], three = [1f, 1f, 1f];
        Assert.Throws<ArgumentException>("weights", () => BatchNormFolding.Fold(w.AsSpan(1), new float[3], three, three, three, three, Epsilon, 3, 2));
        Assert.Throws<ArgumentException>("bias", () => BatchNormFolding.Fold(w, [], three, three, three, three, Epsilon, 3, 2));
        Assert.Throws<ArgumentException>("variance", () => BatchNormFolding.Fold(w, new float[3], three, three, three, [1f], Epsilon, 3, 2));
        Assert.Throws<ArgumentOutOfRangeException>("epsilon", () => BatchNormFolding.Fold(w, new float[3], three, three, three, three, -1f, 3, 2));
    }

    [Fact]
    public void FoldingDoesNotAllocate()
    {
        float[] w = new float[40], bias = new float[4], gamma = [1f, 1f, 1f, 1f], stats = new float[4];
        void Calls()
        {
            for (int i = 0; i < 10; i++)
                BatchNormFolding.Fold(w, bias, gamma, stats, stats, gamma, Epsilon, 4, 10);
        }
        Calls();
        AllocationAssert.SteadyStateAllocatesNothing(Calls, "batch norm folding");
    }
}
