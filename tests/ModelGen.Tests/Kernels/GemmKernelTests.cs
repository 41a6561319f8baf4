using ModelGen.Kernels;

namespace ModelGen.Tests.Kernels;

public class GemmKernelTests
{
    /// <summary>
    /// Float tolerance (see <see cref="GemmKernels"/>): a sum of k fp32 products is within about k 2^-24 of the exact
    /// sum, relative to the sum of the terms' magnitudes; fused and unfused multiply-adds each stay within that, so
    /// 2 k 2^-24 of the magnitude, plus 1e-6 for the float activations.
    /// </summary>
    private static double Tolerance(int k, double magnitude) => 2.0 * Math.Max(k, 1) * Math.Pow(2, -24) * magnitude + 1e-6;

    private static readonly int[] Sizes = [1, 3, 5, 7, 8, 17, 24, 33, 49, 196];

    public static TheoryData<KernelPath> Paths() => KernelTestData.Paths();

    /// <summary>(m, k, n, seed): odd sizes around the tile (4 rows, 8/24 columns) and the K block (256), then random ones.</summary>
    private static IEnumerable<(int M, int K, int N, int Seed)> Shapes()
    {
        int seed = 1;
        foreach (int m in new[] { 1, 3, 4, 5, 17 })
            foreach (int k in new[] { 0, 1, 7, 33 })
                foreach (int n in new[] { 1, 7, 8, 23, 24, 25, 49 })
                    yield return (m, k, n, seed++);
        // K blocks: exactly one, one row past, several with a short last one; real 1x1 convolution sizes.
        yield return (5, 256, 33, seed++);
        yield return (7, 257, 49, seed++);
        yield return (9, 600, 17, seed++);
        yield return (16, 96, 784, seed++);
        yield return (24, 144, 196, seed++);
        yield return (33, 320, 49, seed++);
        // Short K: several strips packed per pass (256 / K of them); passes ending on a partial, a narrow (one vector
        // or less) or a whole strip.
        yield return (6, 16, 401, seed++);
        yield return (5, 20, 313, seed++);
        yield return (3, 27, 2000, seed++);
        // N one past a whole number of strips (25, 49, 97: 24-column strips on AVX2, 12 on 128-bit vectors): the last
        // column goes by dot products, over more K than its buffer holds in the last shape.
        yield return (9, 160, 97, seed++);
        yield return (3, 6200, 25, seed++);
        var random = new Random(7);
        for (int i = 0; i < 40; i++)
            yield return (Sizes[random.Next(Sizes.Length)], Sizes[random.Next(Sizes.Length)], Sizes[random.Next(Sizes.Length)], seed++);
    }

    private static (float[] A, float[] B, float[] Bias, float[] C, Activation Activation) Operands(int m, int k, int n, int seed)
    {
        var random = new Random(seed);
        float[] a = KernelTestData.Uniform(random, m * k), b = KernelTestData.Uniform(random, k * n, 2f);
        float[] bias = seed % 3 == 0 ? [] : KernelTestData.Uniform(random, m);
        float[] c = Enumerable.Repeat(float.NaN, m * n).ToArray(); // an output left unwritten stays NaN and fails
        return (a, b, bias, c, KernelTestData.Activations[seed % KernelTestData.Activations.Length]);
    }

    /// <summary>Double-precision product, bias and activation, and per output the sum of the terms' magnitudes.</summary>
    private static (double[] C, double[] Magnitude) Reference(float[] a, float[] b, float[] bias, int m, int k, int n,
        Activation activation)
    {
        var c = new double[m * n];
        var magnitude = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double sum = bias.Length > 0 ? bias[i] : 0, abs = Math.Abs(sum);
                for (int p = 0; p < k; p++)
                {
                    double term = (double)a[i * k + p] * b[p * n + j];
                    sum += term;
                    abs += Math.Abs(term);
                }
                c[i * n + j] = ReferenceMath.Activate(sum, activation);
                magnitude[i * n + j] = abs;
            }
        return (c, magnitude);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void MatchesTheDoubleReference(KernelPath path)
    {
        int count = 0;
        foreach ((int m, int k, int n, int seed) in Shapes())
        {
            (float[] a, float[] b, float[] bias, float[] c, Activation activation) = Operands(m, k, n, seed);
            GemmKernels.Float32(path, a, b, bias, c, m, k, n, activation);
            (double[] expected, double[] magnitude) = Reference(a, b, bias, m, k, n, activation);
            for (int i = 0; i < expected.Length; i++)
            {
                double tolerance = Tolerance(k, magnitude[i]);
                if (!(Math.Abs(c[i] - expected[i]) <= tolerance))
                    Assert.Fail($"m {m} k {k} n {n} {activation} bias={bias.Length > 0} on {path}: c[{i}] = {c[i]}, "
                        + $"expected {expected[i]} (tolerance {tolerance}).");
            }
            count++;
        }
        Assert.True(count > 180, $"only {count} shapes ran");
    }

    /// <summary>
    /// Every path against the scalar path within the documented tolerance; the scalar path itself bit-equal to plain
    /// fp32 loops summing each output in order p = 0, 1, ... and then adding the bias.
    /// </summary>
    [Theory]
    [MemberData(nameof(Paths))]
    public void MatchesTheScalarReference(KernelPath path)
    {
        foreach ((int m, int k, int n, int seed) in Shapes())
        {
            (float[] a, float[] b, float[] bias, float[] c, Activation activation) = Operands(m, k, n, seed);
            GemmKernels.Float32(path, a, b, bias, c, m, k, n, activation);
            float[] expected = new float[m * n];
            if (path == KernelPath.Scalar)
            {
                for (int i = 0; i < m; i++)
                    for (int j = 0; j < n; j++)
                    {
                        float sum = 0f;
                        for (int p = 0; p < k; p++) sum += a[i * k + p] * b[p * n + j];
                        expected[i * n + j] = ActivationFunctions.Apply(sum + (bias.Length > 0 ? bias[i] : 0f), activation);
                    }
                Assert.Equal(expected, c);
                continue;
            }
            GemmKernels.Float32(KernelPath.Scalar, a, b, bias, expected, m, k, n, activation);
            (_, double[] magnitude) = Reference(a, b, bias, m, k, n, activation);
            for (int i = 0; i < expected.Length; i++)
                if (!(Math.Abs(c[i] - expected[i]) <= Tolerance(k, magnitude[i])))
                    Assert.Fail($"m {m} k {k} n {n} {activation} on {path}: c[{i}] = {c[i]}, scalar {expected[i]}.");
        }
    }

    /// <summary>Infinity and NaN in A or B reach exactly the outputs whose sums they enter.</summary>
    [Theory]
    [MemberData(nameof(Paths))]
    public void NonFiniteInputsPropagate(KernelPath path)
    {
        const int m = 6, k = 300, n = 27; // two K blocks, a partial row tile and a partial strip
        (float[] a, float[] b, _, float[] c, _) = Operands(m, k, n, 4);
        a[5 * k + 290] = float.PositiveInfinity; // row 5, second K block
        b[3 * n + 26] = float.NaN;               // column 26, first K block
        GemmKernels.Float32(path, a, b, [], c, m, k, n, Activation.None);
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                float value = c[i * n + j];
                if (j == 26) Assert.True(float.IsNaN(value), $"c[{i}, {j}] = {value}");
                else if (i == 5) Assert.True(float.IsInfinity(value) || float.IsNaN(value), $"c[{i}, {j}] = {value}");
                else Assert.True(float.IsFinite(value), $"c[{i}, {j}] = {value}");
            }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void ArgumentsAreChecked(KernelPath path)
    {
        const int m = 5, k = 7, n = 9;
        float[] a = new float[m * k], b = new float[k * n], bias = new float[m], c = new float[m * n];
        GemmKernels.Float32(path, new float[m * k + 3], new float[k * n + 1], new float[m + 2], new float[m * n + 5], m, k, n,
            Activation.Relu); // longer spans are fine
        GemmKernels.Float32(path, [], [], [], [], 0, 0, 0, Activation.None);
        GemmKernels.Float32(path, a, [], [], [], m, k, 0, Activation.None);

        var e = Assert.Throws<ArgumentException>("a", () => GemmKernels.Float32(path, a.AsSpan(1), b, bias, c, m, k, n, Activation.None));
        Assert.Contains("m * k = 35", e.Message);
        Assert.Throws<ArgumentException>("b", () => GemmKernels.Float32(path, a, b.AsSpan(1), bias, c, m, k, n, Activation.None));
        Assert.Throws<ArgumentException>("bias", () => GemmKernels.Float32(path, a, b, bias.AsSpan(1), c, m, k, n, Activation.None));
        Assert.Throws<ArgumentException>("c", () => GemmKernels.Float32(path, a, b, bias, c.AsSpan(1), m, k, n, Activation.None));
        Assert.Throws<ArgumentOutOfRangeException>("m", () => GemmKernels.Float32(path, a, b, bias, c, -1, k, n, Activation.None));
        Assert.Throws<ArgumentOutOfRangeException>("k", () => GemmKernels.Float32(path, a, b, bias, c, m, -1, n, Activation.None));
        Assert.Throws<ArgumentOutOfRangeException>("n", () => GemmKernels.Float32(path, a, b, bias, c, m, k, -1, Activation.None));
        Assert.Throws<ArgumentOutOfRangeException>("activation", () => GemmKernels.Float32(path, a, b, bias, c, m, k, n, (Activation)42));
        float[] buffer = new float[m * k + m * n];
        e = Assert.Throws<ArgumentException>("c", () => GemmKernels.Float32(path, buffer.AsSpan(0, m * k), b, bias,
            buffer.AsSpan(m * k - 1), m, k, n, Activation.None));
        Assert.Contains("overlap", e.Message);
        Assert.Throws<ArgumentException>("c", () => GemmKernels.Float32(path, a, b, c.AsSpan(0, m), c, m, k, n, Activation.None));
    }

    [Fact]
    public void UnsupportedPathsAreRejected()
    {
        foreach (KernelPath path in Enum.GetValues<KernelPath>())
            if (!KernelPaths.IsSupported(path))
                Assert.Throws<NotSupportedException>(() => GemmKernels.Float32(path, [], [], [], [], 0, 0, 0, Activation.None));
        Assert.Throws<NotSupportedException>(() => GemmKernels.Float32((KernelPath)99, [], [], [], [], 0, 0, 0, Activation.None));
    }

    /// <summary>The public entry point takes the best path.</summary>
    [Fact]
    public void PublicEntryPointMatchesTheBestPath()
    {
        (float[] a, float[] b, float[] bias, float[] c, Activation activation) = Operands(13, 300, 50, 2);
        float[] expected = new float[c.Length];
        GemmKernels.Float32(KernelPaths.Best, a, b, bias, expected, 13, 300, 50, activation);
        GemmKernels.Float32(a, b, bias, c, 13, 300, 50, activation);
        Assert.Equal(expected, c);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void GemmDoesNotAllocate(KernelPath path)
    {
        (float[] a, float[] b, float[] bias, float[] c, _) = Operands(9, 300, 53, 3);
        void Calls()
        {
            for (int i = 0; i < 20; i++)
                GemmKernels.Float32(path, a, b, i % 2 == 0 ? bias : [], c, 9, 300 - i, 53, (Activation)(i % 6));
        }

        Calls();
        AllocationAssert.SteadyStateAllocatesNothing(Calls, $"GEMM on {path}");
    }
}
