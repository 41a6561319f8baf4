using ModelGen.Kernels;
using ModelGen.Quantization;

namespace ModelGen.Tests.Kernels;

public class DenseCodebookTests
{
    public static TheoryData<KernelPath> Paths() => KernelTestData.Paths();

    /// <summary>A random codebook problem: x, random indices (odd rows leave a nibble tail) and random fp16 codebooks.</summary>
    private sealed record Problem(int Batch, int K, int N, int Centroids, bool PerRow, float[] X, byte[] Indices,
        ushort[] Codebook, float[] Bias)
    {
        public static Problem Random(int batch, int k, int n, int centroids, bool perRow, bool bias, int seed)
        {
            var random = new Random(seed);
            int rowBytes = CodebookQuantizer.IndexBytesPerRow(k, centroids);
            var indices = new byte[n * rowBytes];
            random.NextBytes(indices);
            if (centroids == 16 && k % 2 == 1)
                for (int j = 0; j < n; j++) indices[j * rowBytes + rowBytes - 1] &= 0xF; // as the quantizer writes them
            ushort[] codebook = Array.ConvertAll(KernelTestData.Uniform(random, (perRow ? n : 1) * centroids),
                v => BitConverter.HalfToUInt16Bits((Half)v));
            return new Problem(batch, k, n, centroids, perRow, KernelTestData.Uniform(random, batch * k), indices, codebook,
                bias ? KernelTestData.Uniform(random, n) : []);
        }

        public float[] Run(KernelPath path, Activation activation)
        {
            var y = new float[Batch * N];
            DenseKernels.Codebook(path, X, Indices, Codebook, Bias, y, Batch, K, N, Centroids, PerRow, activation);
            return y;
        }

        public float[] Dequantized()
        {
            var w = new float[N * K];
            CodebookQuantizer.Dequantize(Indices, Codebook, N, K, Centroids, PerRow, w);
            return w;
        }

        /// <summary>sum |x| |w| + |bias|: the scale of the fp32 rounding error of output [b, j].</summary>
        public double Magnitude(float[] w, int b, int j)
        {
            double sum = Bias.Length > 0 ? Math.Abs(Bias[j]) : 0;
            for (int i = 0; i < K; i++) sum += Math.Abs((double)X[b * K + i] * w[j * K + i]);
            return sum;
        }
    }

    /// <summary>Odd k (nibble and vector tails), k beyond the 1024-weight chunk, batch 1 (fused) and 2..20 (widened chunks).</summary>
    private static IEnumerable<Problem> Problems(int count, int seed)
    {
        int[] ks = [1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 33, 64, 65, 127, 255, 784, 1025, 2051];
        var random = new Random(seed);
        for (int c = 0; c < count; c++)
        {
            int k = ks[c % ks.Length], n = random.Next(1, 12), batch = c % 3 == 0 ? 1 : random.Next(1, 21);
            yield return Problem.Random(batch, k, n, c % 2 == 0 ? 16 : 256, perRow: c % 4 < 2, bias: c % 5 != 0, seed + c);
        }
    }

    private static void AssertClose(Problem p, float[] w, float[] expected, float[] actual, string what)
    {
        for (int b = 0; b < p.Batch; b++)
            for (int j = 0; j < p.N; j++)
            {
                // Same fp32 products summed in another order (and fused on SIMD paths): as DenseFloatTests, 1.2e-5 of
                // sum |x| |w| covers k * 2^-24 reordering for these k, times GELU's largest slope, plus activation ulps.
                double tolerance = 1.2e-5 * p.Magnitude(w, b, j) + 5e-7 * Math.Abs(expected[b * p.N + j]) + 1e-30;
                float e = expected[b * p.N + j], a = actual[b * p.N + j];
                Assert.True(Math.Abs(a - e) <= tolerance,
                    $"{what} k={p.K} n={p.N} batch={p.Batch} C={p.Centroids} perRow={p.PerRow} [{b},{j}]: {a} vs {e}");
            }
    }

    /// <summary>Every path against the scalar reference, both centroid counts, per-row and shared codebooks, every activation.</summary>
    [Theory]
    [MemberData(nameof(Paths))]
    public void PathMatchesScalar(KernelPath path)
    {
        int c = 0;
        foreach (Problem p in Problems(72, 7000))
        {
            Activation activation = KernelTestData.Activations[c++ % KernelTestData.Activations.Length];
            AssertClose(p, p.Dequantized(), p.Run(KernelPath.Scalar, activation), p.Run(path, activation), $"{path} {activation}");
        }
    }

    /// <summary>
    /// Every path against the fp32 dense kernel on the dequantized weights: the weights are the same fp32 values (fp16
    /// widening is exact), so only the summation order differs; tolerance as in <see cref="PathMatchesScalar"/>.
    /// </summary>
    [Theory]
    [MemberData(nameof(Paths))]
    public void PathMatchesFloat32OnDequantizedWeights(KernelPath path)
    {
        int c = 0;
        foreach (Problem p in Problems(36, 8000))
        {
            Activation activation = KernelTestData.Activations[c++ % KernelTestData.Activations.Length];
            float[] w = p.Dequantized();
            var expected = new float[p.Batch * p.N];
            DenseKernels.Float32(path, p.X, w, p.Bias, expected, p.Batch, p.K, p.N, activation);
            AssertClose(p, w, expected, p.Run(path, activation), $"{path} vs Float32 {activation}");
        }
    }

    /// <summary>
    /// k around the 32-weight blocks (AVX2 byte-plane lookups, 4 accumulators), the 8-weight groups after them and the
    /// scalar tail, across the 1024-weight chunk; batch 1 (fused dot) and 2..20 (decoded chunks), per-row and shared.
    /// </summary>
    [Theory]
    [MemberData(nameof(Paths))]
    public void BlockTailsMatchScalar(KernelPath path)
    {
        int[] ks = [32, 33, 39, 40, 41, 47, 63, 95, 96, 97, 129, 1056, 1063];
        int[] batches = [1, 2, 7, 20];
        int seed = 9000, c = 0;
        foreach (int k in ks)
            foreach (int centroids in new[] { 16, 256 })
                foreach (bool perRow in new[] { true, false })
                {
                    int batch = batches[c++ % batches.Length];
                    Problem p = Problem.Random(batch, k, 3, centroids, perRow, bias: c % 2 == 0, seed++);
                    Activation activation = KernelTestData.Activations[c % KernelTestData.Activations.Length];
                    AssertClose(p, p.Dequantized(), p.Run(KernelPath.Scalar, activation), p.Run(path, activation), $"{path} {activation}");
                }
    }

    /// <summary>
    /// Every kind of finite half (zeros of both signs, subnormals, the normal extremes) looked up exactly: x rows are
    /// one-hot, so y[b, j] is weight [j, b] itself, on the fused batch-1 loop and on the decoded chunks.
    /// </summary>
    [Theory]
    [MemberData(nameof(Paths))]
    public void LookupIsExactForEveryKindOfHalf(KernelPath path)
    {
        Half[] special = [(Half)0f, -(Half)0f, Half.Epsilon, -Half.Epsilon, BitConverter.UInt16BitsToHalf(0x03FF),
            BitConverter.UInt16BitsToHalf(0x0400), Half.MaxValue, Half.MinValue, (Half)1f, (Half)(-1f), (Half)0.1f,
            (Half)(-1234.5f), BitConverter.UInt16BitsToHalf(0x3BFF), BitConverter.UInt16BitsToHalf(0x8001),
            BitConverter.UInt16BitsToHalf(0x7BFE), (Half)3.14159f];
        const int k = 97, n = 3;
        foreach (int centroids in new[] { 16, 256 })
        {
            var random = new Random(centroids);
            Problem p = Problem.Random(1, k, n, centroids, perRow: true, bias: false, 11);
            for (int c = 0; c < p.Codebook.Length; c++)
                p.Codebook[c] = BitConverter.HalfToUInt16Bits(c % centroids < special.Length ? special[(c + c / centroids) % special.Length]
                    : (Half)(random.NextDouble() * 2 - 1));
            float[] w = p.Dequantized();
            var x = new float[k * k];
            for (int b = 0; b < k; b++) x[b * k + b] = 1f;
            var y = new float[k * n];
            DenseKernels.Codebook(path, x, p.Indices, p.Codebook, [], y, k, k, n, centroids, true, Activation.None);
            var y1 = new float[n];
            for (int b = 0; b < k; b++)
            {
                DenseKernels.Codebook(path, x.AsSpan(b * k, k), p.Indices, p.Codebook, [], y1, 1, k, n, centroids, true, Activation.None);
                for (int j = 0; j < n; j++)
                {
                    Assert.True(w[j * k + b] == y1[j], $"{path} C={centroids} batch 1 [{j},{b}]: {y1[j]} vs {w[j * k + b]}");
                    Assert.True(w[j * k + b] == y[b * n + j], $"{path} C={centroids} batch {k} [{j},{b}]: {y[b * n + j]} vs {w[j * k + b]}");
                }
            }
        }
    }

    /// <summary>The scalar reference is exact for values chosen so that every product and partial sum is an fp32 integer.</summary>
    [Fact]
    public void ScalarComputesKnownOutputs()
    {
        // Codebook row 0: [0, 1, 2, ..., 15]; row 1: [-1, -2, ...]. x = [1, 2, 3]. Indices row 0: 1, 2, 3; row 1: 0, 15, 4.
        ushort[] book = new ushort[32];
        for (int c = 0; c < 16; c++)
        {
            book[c] = BitConverter.HalfToUInt16Bits((Half)c);
            book[16 + c] = BitConverter.HalfToUInt16Bits((Half)(-1 - c));
        }
        byte[] indices = [0x21, 0x03, 0xF0, 0x04];
        float[] y = new float[2];
        foreach (KernelPath path in KernelPaths.Supported)
        {
            DenseKernels.Codebook(path, [1f, 2f, 3f], indices, book, [0.5f, 100f], y, 1, 3, 2, 16, true, Activation.None);
            Assert.Equal([1 * 1 + 2 * 2 + 3 * 3 + 0.5f, -1 * 1 + 2 * -16 + 3 * -5 + 100f], y);
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void BadArgumentsThrowClearErrors(KernelPath path)
    {
        float[] x = new float[6], y = new float[4];
        byte[] indices = new byte[4];
        ushort[] book = new ushort[32];

        var centroids = Assert.Throws<ArgumentOutOfRangeException>(() =>
            DenseKernels.Codebook(path, x, indices, book, [], y, 2, 3, 2, 8, true, Activation.None));
        Assert.Equal("centroids", centroids.ParamName);
        var shortIndices = Assert.Throws<ArgumentException>(() =>
            DenseKernels.Codebook(path, x, indices.AsSpan(0, 3), book, [], y, 2, 3, 2, 16, true, Activation.None));
        Assert.Equal("indices", shortIndices.ParamName);
        var shortIndices256 = Assert.Throws<ArgumentException>(() =>
            DenseKernels.Codebook(path, x, indices, new ushort[512], [], y, 2, 3, 2, 256, true, Activation.None));
        Assert.Equal("indices", shortIndices256.ParamName);
        var shortBook = Assert.Throws<ArgumentException>(() =>
            DenseKernels.Codebook(path, x, indices, book.AsSpan(0, 31), [], y, 2, 3, 2, 16, true, Activation.None));
        Assert.Equal("codebook", shortBook.ParamName);
        Assert.Contains("n * centroids", shortBook.Message);
        var shortShared = Assert.Throws<ArgumentException>(() =>
            DenseKernels.Codebook(path, x, indices, book.AsSpan(0, 15), [], y, 2, 3, 2, 16, false, Activation.None));
        Assert.Equal("codebook", shortShared.ParamName);
        Assert.Equal("x", Assert.Throws<ArgumentException>(() =>
            DenseKernels.Codebook(path, x.AsSpan(0, 5), indices, book, [], y, 2, 3, 2, 16, true, Activation.None)).ParamName);
        Assert.Equal("y", Assert.Throws<ArgumentException>(() =>
            DenseKernels.Codebook(path, x, indices, book, [], y.AsSpan(0, 3), 2, 3, 2, 16, true, Activation.None)).ParamName);
        Assert.Equal("bias", Assert.Throws<ArgumentException>(() =>
            DenseKernels.Codebook(path, x, indices, book, [1f], y, 2, 3, 2, 16, true, Activation.None)).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            DenseKernels.Codebook(path, x, indices, book, [], y, -1, 3, 2, 16, true, Activation.None));

        // A shared codebook needs only 16 entries; the same call then succeeds.
        DenseKernels.Codebook(path, x, indices, book.AsSpan(0, 16), [], y, 2, 3, 2, 16, false, Activation.None);
    }

    /// <summary>No codebook call allocates, in the fused batch-1 loop or the chunked batch loop, for both index widths.</summary>
    [Theory]
    [MemberData(nameof(Paths))]
    public void KernelDoesNotAllocate(KernelPath path)
    {
        Problem p16 = Problem.Random(5, 1037, 6, 16, true, true, 1), p256 = Problem.Random(5, 37, 6, 256, false, false, 2);
        float[] y = new float[5 * 6];

        void Call(Problem p, int i)
        {
            int batch = i % 2 == 0 ? 1 : p.Batch;
            DenseKernels.Codebook(path, p.X, p.Indices, p.Codebook, p.Bias, y, batch, p.K, p.N, p.Centroids, p.PerRow, (Activation)(i % 6));
            if (path == KernelPaths.Best)
                DenseKernels.Codebook(p.X, p.Indices, p.Codebook, p.Bias, y, batch, p.K, p.N, p.Centroids, p.PerRow, Activation.Relu);
        }

        void Calls()
        {
            for (int i = 0; i < 20; i++)
            {
                Call(p16, i);
                Call(p256, i);
            }
        }

        Calls();
        AllocationAssert.SteadyStateAllocatesNothing(Calls, $"codebook kernel calls on {path}");
    }
}
