using ModelGen.Kernels;

namespace ModelGen.Tests.Kernels;

public class PoolKernelTests
{
    /// <summary>(batch, channels, height, width, kernel, stride, padding): odd sizes, padding up to kernel / 2.</summary>
    private static IEnumerable<(int B, int C, int H, int W, int K, int S, int P)> Cases()
    {
        yield return (2, 16, 28, 28, 2, 2, 0); // fashion_cnn
        yield return (1, 32, 14, 14, 2, 2, 0);
        yield return (1, 3, 7, 7, 2, 2, 0);    // floor mode drops the last row and column
        yield return (2, 3, 9, 11, 3, 2, 1);
        yield return (1, 2, 5, 7, 3, 1, 1);
        yield return (3, 1, 13, 6, 5, 2, 2);
        yield return (1, 2, 1, 1, 1, 1, 0);
        yield return (1, 2, 1, 3, 3, 3, 1);
        yield return (1, 4, 6, 5, 4, 3, 2);
        yield return (2, 2, 8, 9, 3, 3, 0);
    }

    private static (double[] Max, double[] Avg, double[] AvgExcludingPad) Reference(float[] x, int b, int c, int h, int w,
        int k, int s, int p)
    {
        int oh = (h + 2 * p - k) / s + 1, ow = (w + 2 * p - k) / s + 1;
        var max = new double[b * c * oh * ow];
        var avg = new double[max.Length];
        var avgExcluding = new double[max.Length];
        for (int plane = 0; plane < b * c; plane++)
            for (int oy = 0; oy < oh; oy++)
                for (int ox = 0; ox < ow; ox++)
                {
                    double best = double.NegativeInfinity, sum = 0;
                    int count = 0;
                    for (int ky = 0; ky < k; ky++)
                        for (int kx = 0; kx < k; kx++)
                        {
                            int iy = oy * s - p + ky, ix = ox * s - p + kx;
                            if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue; // -inf for max, 0 for the average
                            double v = x[(plane * h + iy) * w + ix];
                            best = Math.Max(best, v);
                            sum += v;
                            count++;
                        }
                    int o = (plane * oh + oy) * ow + ox;
                    max[o] = best;
                    avg[o] = sum / (k * k);
                    avgExcluding[o] = sum / count;
                }
        return (max, avg, avgExcluding);
    }

    [Fact]
    public void MatchReference()
    {
        int seed = 0;
        foreach ((int b, int c, int h, int w, int k, int s, int p) in Cases())
        {
            float[] x = KernelTestData.Uniform(new Random(seed++), b * c * h * w);
            int oh = PoolKernels.OutputSize(h, k, s, p), ow = PoolKernels.OutputSize(w, k, s, p);
            (double[] max, double[] avg, double[] avgExcluding) = Reference(x, b, c, h, w, k, s, p);
            Assert.Equal(max.Length, b * c * oh * ow);
            float[] y = new float[max.Length + 1];
            y[^1] = 42f;
            PoolKernels.MaxPool2d(x, y, b, c, h, w, k, s, p);
            for (int i = 0; i < max.Length; i++) Assert.Equal((float)max[i], y[i]); // a max is exact
            Assert.Equal(42f, y[^1]); // nothing written past the output
            PoolKernels.AvgPool2d(x, y, b, c, h, w, k, s, p);
            for (int i = 0; i < avg.Length; i++) Assert.Equal((float)avg[i], y[i]); // double sum, rounded once
            PoolKernels.AvgPool2d(x, y, b, c, h, w, k, s, p, countIncludePad: false);
            for (int i = 0; i < avg.Length; i++) Assert.Equal((float)avgExcluding[i], y[i]);
        }
    }

    [Fact]
    public void MaxPoolPropagatesNaNAndPaddingIsMinusInfinity()
    {
        float[] x = [-5f, -6f, float.NaN, -1f];
        float[] y = new float[9];
        PoolKernels.MaxPool2d(x, y, 1, 1, 2, 2, 2, 1, 1); // 2 x 2 windows over the padded 4 x 4: a 3 x 3 output
        Assert.Equal([-5f, -5f, -6f, float.NaN, float.NaN, -1f, float.NaN, float.NaN, -1f], y);
    }

    [Fact]
    public void GlobalAvgPoolIsThePlaneMean()
    {
        const int b = 3, c = 5, spatial = 49;
        float[] x = KernelTestData.Uniform(new Random(7), b * c * spatial);
        float[] y = new float[b * c];
        PoolKernels.GlobalAvgPool(x, y, b, c, spatial);
        for (int p = 0; p < b * c; p++)
        {
            double sum = 0;
            for (int i = 0; i < spatial; i++) sum += x[p * spatial + i];
            Assert.Equal((float)(sum / spatial), y[p]);
        }
    }

    [Fact]
    public void BadArgumentsThrowClearly()
    {
        float[] x = new float[2 * 3 * 5 * 5], y = new float[2 * 3 * 2 * 2];
        PoolKernels.MaxPool2d(x, y, 2, 3, 5, 5, 2, 2, 0);
        var range = Assert.Throws<ArgumentOutOfRangeException>("padding", () => PoolKernels.MaxPool2d(x, y, 2, 3, 5, 5, 2, 2, 2));
        Assert.Contains("half the kernel", range.Message);
        Assert.Throws<ArgumentException>("kernel", () => PoolKernels.AvgPool2d(x, new float[100], 2, 3, 1, 5, 3, 1, 0));
        Assert.Throws<ArgumentOutOfRangeException>("stride", () => PoolKernels.MaxPool2d(x, y, 2, 3, 5, 5, 2, 0, 0));
        Assert.Throws<ArgumentOutOfRangeException>("kernel", () => PoolKernels.MaxPool2d(x, y, 2, 3, 5, 5, 0, 1, 0));
        Assert.Throws<ArgumentOutOfRangeException>("batch", () => PoolKernels.MaxPool2d(x, y, -1, 3, 5, 5, 2, 2, 0));
        var e = Assert.Throws<ArgumentException>("x", () => PoolKernels.MaxPool2d(x.AsSpan(1), y, 2, 3, 5, 5, 2, 2, 0));
        Assert.Contains("= 150", e.Message);
        Assert.Throws<ArgumentException>("y", () => PoolKernels.AvgPool2d(x, y.AsSpan(1), 2, 3, 5, 5, 2, 2, 0));
        Assert.Throws<ArgumentException>("y", () => PoolKernels.MaxPool2d(x, x.AsSpan(100), 2, 3, 5, 5, 2, 2, 0));
        Assert.Throws<ArgumentException>("x", () => PoolKernels.GlobalAvgPool(x, y, 2, 3, 26));
        Assert.Throws<ArgumentException>("y", () => PoolKernels.GlobalAvgPool(x, y.AsSpan(0, 5), 2, 3, 25));
        Assert.Throws<ArgumentOutOfRangeException>("spatial", () => PoolKernels.GlobalAvgPool(x, y, 2, 3, 0));
        Assert.Equal(0, PoolKernels.OutputSize(2, 3, 1, 0));
    }

    [Fact]
    public void PoolingAndNormalizationDoNotAllocate()
    {
        float[] x = KernelTestData.Uniform(new Random(1), 2 * 3 * 9 * 11), y = new float[x.Length], gamma = new float[11];
        void Calls()
        {
            for (int i = 0; i < 20; i++)
            {
                PoolKernels.MaxPool2d(x, y, 2, 3, 9, 11, 3, 2, 1);
                PoolKernels.AvgPool2d(x, y, 2, 3, 9, 11, 3, 2, 1, i % 2 == 0);
                PoolKernels.GlobalAvgPool(x, y, 2, 3, 99);
                NormKernels.LayerNorm(x, gamma, gamma, y, 54, 11, 1e-5f);
            }
        }
        Calls();
        AllocationAssert.SteadyStateAllocatesNothing(Calls, "pooling and layer norm");
    }
}
