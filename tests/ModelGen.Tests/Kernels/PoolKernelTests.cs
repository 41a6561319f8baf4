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
        yield return (1, 3, 112, 112, 3, 2, 1); // a ResNet-style stem pool
        yield return (1, 2, 3, 2100, 3, 2, 1);  // rows wider than the vector paths' stack row run the reference loop
        yield return (1, 2, 3, 2101, 2, 2, 0);  // 2 x 2 / 2 reads rows in place, so any width takes its vector path
        // Every 2 x 2 / 2 and 3 x 3 / 2 pad 1 plane up to 17 x 18 (rows under, at and past one vector), then seeded
        // random ones: planes to 29 x 31, kernels 1-5, strides 1-3, any legal padding.
        for (int size = 1; size <= 17; size++)
        {
            if (size >= 2) yield return (1, 2, size, size + 1, 2, 2, 0);
            yield return (1, 2, size + 1, size, 3, 2, 1);
        }
        var random = new Random(17);
        for (int made = 0; made < 60;)
        {
            int k = 1 + random.Next(5), s = 1 + random.Next(3), p = random.Next(k / 2 + 1);
            int h = 1 + random.Next(29), w = 1 + random.Next(31);
            if (PoolKernels.OutputSize(h, k, s, p) < 1 || PoolKernels.OutputSize(w, k, s, p) < 1) continue;
            made++;
            yield return (1 + random.Next(2), 1 + random.Next(3), h, w, k, s, p);
        }
    }

    public static TheoryData<KernelPath> Paths() => KernelTestData.Paths();

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

    [Theory]
    [MemberData(nameof(Paths))]
    public void MatchReference(KernelPath path)
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
            string what = $"{b}x{c}x{h}x{w} k{k} s{s} p{p} on {path}";
            y.AsSpan(0, max.Length).Fill(float.NaN);
            PoolKernels.MaxPool2d(path, x, y, b, c, h, w, k, s, p);
            for (int i = 0; i < max.Length; i++) Assert.True((float)max[i] == y[i], $"max {what}: y[{i}] = {y[i]}, expected {max[i]}"); // a max is exact
            Assert.Equal(42f, y[^1]); // nothing written past the output
            y.AsSpan(0, max.Length).Fill(float.NaN);
            PoolKernels.AvgPool2d(path, x, y, b, c, h, w, k, s, p);
            // Every path sums in the reference's order, so averages are bit-equal too.
            for (int i = 0; i < avg.Length; i++) Assert.True((float)avg[i] == y[i], $"avg {what}: y[{i}] = {y[i]}, expected {avg[i]}");
            PoolKernels.AvgPool2d(path, x, y, b, c, h, w, k, s, p, countIncludePad: false);
            for (int i = 0; i < avg.Length; i++) Assert.True((float)avgExcluding[i] == y[i], $"avg excluding padding {what}: y[{i}]");
            Assert.Equal(42f, y[^1]);
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void MaxPoolPropagatesNaNAndPaddingIsMinusInfinity(KernelPath path)
    {
        float[] x = [-5f, -6f, float.NaN, -1f];
        float[] y = new float[9];
        PoolKernels.MaxPool2d(path, x, y, 1, 1, 2, 2, 2, 1, 1); // 2 x 2 windows over the padded 4 x 4: a 3 x 3 output
        Assert.Equal([-5f, -5f, -6f, float.NaN, float.NaN, -1f, float.NaN, float.NaN, -1f], y);
        // NaN first or last in a window, in vector bodies and tails: 2 x 2 / 2 over 2 x 20 gives 10 outputs.
        foreach (int at in new[] { 0, 1, 6, 17, 19, 20, 21, 39 })
        {
            float[] wide = KernelTestData.Uniform(new Random(at), 40), pooled = new float[10];
            wide[at] = float.NaN;
            PoolKernels.MaxPool2d(path, wide, pooled, 1, 1, 2, 20, 2, 2, 0);
            for (int ox = 0; ox < 10; ox++)
                Assert.True(float.IsNaN(pooled[ox]) == (at % 20 / 2 == ox), $"NaN at {at} on {path}: output {ox} = {pooled[ox]}");
        }
        // Rows of 7 outputs (overlapping 4-wide vectors) and of 3 (the scalar tail); the dropped last column never counts.
        foreach (int width in new[] { 15, 7 })
            for (int at = 0; at < 2 * width; at++)
            {
                float[] narrow = KernelTestData.Uniform(new Random(at), 2 * width), pooled = new float[width / 2];
                narrow[at] = float.NaN;
                PoolKernels.MaxPool2d(path, narrow, pooled, 1, 1, 2, width, 2, 2, 0);
                for (int ox = 0; ox < width / 2; ox++)
                    Assert.True(float.IsNaN(pooled[ox]) == (at % width / 2 == ox), $"NaN at {at} of 2 x {width} on {path}: output {ox} = {pooled[ox]}");
            }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void GlobalAvgPoolIsThePlaneMean(KernelPath path)
    {
        foreach (int spatial in new[] { 1, 3, 7, 8, 49, 50, 196 })
        {
            const int b = 3, c = 5;
            float[] x = KernelTestData.Uniform(new Random(spatial), b * c * spatial);
            float[] y = new float[b * c];
            PoolKernels.GlobalAvgPool(path, x, y, b, c, spatial);
            // Doubles sum at most 196 floats in [-1, 1] exactly (unless their magnitudes span more than 2^29), whatever the order.
            for (int p = 0; p < b * c; p++)
            {
                double sum = 0;
                for (int i = 0; i < spatial; i++) sum += x[p * spatial + i];
                Assert.Equal((float)(sum / spatial), y[p]);
            }
        }
    }

    [Fact]
    public void PublicGlobalAvgPoolIsThePlaneMean()
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
        KernelPath[] paths = [.. KernelPaths.Supported]; // an array: enumerating the interface would allocate
        void Calls()
        {
            for (int i = 0; i < 20; i++)
            {
                PoolKernels.MaxPool2d(x, y, 2, 3, 9, 11, 3, 2, 1);
                PoolKernels.AvgPool2d(x, y, 2, 3, 9, 11, 3, 2, 1, i % 2 == 0);
                PoolKernels.GlobalAvgPool(x, y, 2, 3, 99);
                NormKernels.LayerNorm(x, gamma, gamma, y, 54, 11, 1e-5f);
                foreach (KernelPath path in paths)
                {
                    PoolKernels.MaxPool2d(path, x, y, 1, 6, 9, 11, 2, 2, 0);
                    PoolKernels.AvgPool2d(path, x, y, 1, 6, 9, 11, 3, 1, 1, i % 2 == 0);
                    PoolKernels.GlobalAvgPool(path, x, y, 6, 3, 11);
                }
            }
        }
        Calls();
        AllocationAssert.SteadyStateAllocatesNothing(Calls, "pooling and layer norm");
    }
}
