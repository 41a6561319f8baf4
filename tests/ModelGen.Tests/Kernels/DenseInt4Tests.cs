using ModelGen.Kernels;
using ModelGen.Quantization;

namespace ModelGen.Tests.Kernels;

public class DenseInt4Tests
{
    public static TheoryData<KernelPath> Paths() => KernelTestData.Paths();

    private static readonly int[] GroupSizes = [32, 64, 128];

    /// <summary>An int4 dense problem: fp32 weights quantized by <see cref="Int4Quantizer"/>, with its scratch.</summary>
    private sealed class Problem
    {
        public int Batch, K, N, GroupSize;
        public float[] X = [], Bias = [];
        public byte[] W = [];
        public ushort[] Scales = [], Mins = [];

        public static Problem Random(int batch, int k, int n, int groupSize, bool asymmetric, bool bias, int seed)
        {
            var random = new Random(seed);
            float[] w = KernelTestData.Uniform(random, n * k, 0.5f);
            // Some rows with an offset, so asymmetric minimums are not all near -max.
            for (int j = 0; j < n; j += 3)
                for (int i = 0; i < k; i++) w[j * k + i] += 0.3f;
            var p = new Problem
            {
                Batch = batch, K = k, N = n, GroupSize = groupSize,
                X = KernelTestData.Uniform(random, batch * k, 3f),
                Bias = bias ? KernelTestData.Uniform(random, n) : [],
                W = new byte[n * k / 2],
                Scales = new ushort[n * k / groupSize],
                Mins = asymmetric ? new ushort[n * k / groupSize] : [],
            };
            Int4Quantizer.Quantize(w, n, k, groupSize, asymmetric, p.W, p.Scales, p.Mins);
            return p;
        }

        public (float[] Y, float[] XScales) Run(KernelPath path, Activation activation)
        {
            var y = new float[Batch * N];
            var xq = new sbyte[Batch * K];
            var xScales = new float[Batch * K / GroupSize];
            DenseKernels.Int4(path, X, W, Scales, Mins, Bias, y, Batch, K, N, GroupSize, activation, xq, xScales);
            return (y, xScales);
        }

        public float[] Dequantized()
        {
            var w = new float[N * K];
            Int4Quantizer.Dequantize(W, Scales, Mins, N, K, GroupSize, w);
            return w;
        }
    }

    /// <summary>(batch, k, n, groupSize, asymmetric, bias, seed): odd n, 1..17 blocks, batch 1..20, both formats.</summary>
    private static IEnumerable<(int Batch, int K, int N, int GroupSize, bool Asymmetric, bool Bias, int Seed)> Shapes(int count, int seed)
    {
        var random = new Random(seed);
        int[] blockCounts = [1, 2, 3, 5, 7, 8, 9, 16, 17];
        int[] ns = [1, 2, 3, 4, 5, 7, 9, 13, 33];
        for (int c = 0; c < count; c++)
        {
            int gs = GroupSizes[c % 3];
            yield return (1 + random.Next(20), gs * blockCounts[random.Next(blockCounts.Length)], ns[random.Next(ns.Length)],
                gs, (c / 3) % 2 == 1, random.Next(3) != 0, seed + c);
        }
    }

    private static void AssertBitEqual(float[] expected, float[] actual, string what)
    {
        for (int i = 0; i < expected.Length; i++)
            Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(actual[i]),
                $"{what} [{i}]: {actual[i]} vs scalar {expected[i]}");
    }

    /// <summary>Every path performs the scalar reference's float operations in its order: bit-equal outputs.</summary>
    [Theory]
    [MemberData(nameof(Paths))]
    public void PathMatchesScalarBitForBit(KernelPath path)
    {
        int c = 0;
        foreach (var (batch, k, n, gs, asymmetric, bias, seed) in Shapes(120, 100))
        {
            Activation activation = KernelTestData.Activations[c++ % KernelTestData.Activations.Length];
            var p = Problem.Random(batch, k, n, gs, asymmetric, bias, seed);
            AssertBitEqual(p.Run(KernelPath.Scalar, activation).Y, p.Run(path, activation).Y,
                $"{path} batch={batch} k={k} n={n} gs={gs} asym={asymmetric} {activation}");
        }
    }

    /// <summary>
    /// Batch 1 with W over 512 KiB takes the strided 8-row passes on Avx2: n not a multiple of 8 leaves 4-row and
    /// shorter passes; k = 2080 gives an odd number of 32-blocks (a lone last block) and a partial last chunk of 8.
    /// </summary>
    [Theory]
    [MemberData(nameof(Paths))]
    public void LargeGemvMatchesScalarBitForBit(KernelPath path)
    {
        foreach (var (k, n, gs) in new[] { (2080, 533, 32), (2176, 517, 64), (2176, 515, 128) })
            foreach (bool asymmetric in new[] { false, true })
            {
                var p = Problem.Random(1, k, n, gs, asymmetric, bias: true, seed: k + n);
                AssertBitEqual(p.Run(KernelPath.Scalar, Activation.Relu).Y, p.Run(path, Activation.Relu).Y,
                    $"{path} k={k} n={n} gs={gs} asym={asymmetric}");
            }
    }

    /// <summary>
    /// More x rows times whole chunks of 8 blocks than the Avx2 path keeps precomputed on the stack (4096): it then
    /// computes x's block sums in every pass. Both formats, every group size, a partial last chunk for two of them.
    /// </summary>
    [Theory]
    [MemberData(nameof(Paths))]
    public void ManyXBlocksMatchScalarBitForBit(KernelPath path)
    {
        foreach (var (batch, k, n, gs) in new[] { (20, 6688, 5, 32), (3, 88064, 2, 64), (20, 26752, 3, 128) })
            foreach (bool asymmetric in new[] { false, true })
            {
                var p = Problem.Random(batch, k, n, gs, asymmetric, bias: asymmetric, seed: k + batch);
                AssertBitEqual(p.Run(KernelPath.Scalar, Activation.None).Y, p.Run(path, Activation.None).Y,
                    $"{path} batch={batch} k={k} n={n} gs={gs} asym={asymmetric}");
            }
    }

    /// <summary>
    /// Every partial last chunk (0..7 blocks past the whole chunks of 8) for every group size and format, at batch
    /// 1..20 and n = 1..9: on Avx2 batch 1 takes the 4-row passes (a partial last pass for n mod 4), larger batches
    /// the x-row blocks whose 4-row tiles share the unpacked W chunk (partial tiles for n mod 4).
    /// </summary>
    [Theory]
    [MemberData(nameof(Paths))]
    public void EveryTailAndTileShapeMatchesScalarBitForBit(KernelPath path)
    {
        int[] batches = [1, 2, 3, 4, 5, 7, 8, 13, 20];
        int[] ns = [1, 2, 3, 4, 5, 6, 7, 9];
        int c = 0;
        foreach (int gs in GroupSizes)
            foreach (bool asymmetric in new[] { false, true })
                for (int tail = 0; tail < 8; tail++)
                {
                    int batch = batches[c % batches.Length], n = ns[(c / 2) % ns.Length];
                    int k = gs * ((c % 3 == 0 ? 0 : 8) + tail + (tail == 0 ? 8 : 0));
                    Activation activation = KernelTestData.Activations[c % KernelTestData.Activations.Length];
                    var p = Problem.Random(batch, k, n, gs, asymmetric, bias: c % 2 == 0, seed: 400 + c++);
                    AssertBitEqual(p.Run(KernelPath.Scalar, activation).Y, p.Run(path, activation).Y,
                        $"{path} batch={batch} k={k} n={n} gs={gs} asym={asymmetric} {activation}");
                }
    }

    /// <summary>
    /// Batches the Avx2 path splits into several blocks of x rows: 70 rows at group 32 (blocks of 64 and 6), and 20
    /// rows at group 128 with a partial last chunk (its padded copies take stack: blocks of 15 and 5).
    /// </summary>
    [Theory]
    [MemberData(nameof(Paths))]
    public void BatchesSplitIntoXBlocksMatchScalarBitForBit(KernelPath path)
    {
        foreach (var (batch, k, n, gs) in new[] { (70, 256, 6, 32), (20, 896, 7, 128), (33, 1600, 5, 64) })
            foreach (bool asymmetric in new[] { false, true })
            {
                var p = Problem.Random(batch, k, n, gs, asymmetric, bias: true, seed: batch + k);
                AssertBitEqual(p.Run(KernelPath.Scalar, Activation.Relu).Y, p.Run(path, Activation.Relu).Y,
                    $"{path} batch={batch} k={k} n={n} gs={gs} asym={asymmetric}");
            }
    }

    /// <summary>
    /// k so large that x's per-chunk records do not fit the Avx2 path's 16 KiB of stack: it then computes them per
    /// chunk and pass (the partial last chunk's record is still prepared). Batch 1 and batch 3, both formats.
    /// </summary>
    [Theory]
    [MemberData(nameof(Paths))]
    public void HugeKWithoutXRecordsMatchesScalarBitForBit(KernelPath path)
    {
        foreach (var (batch, k, n, gs) in new[] { (1, 32 * (8 * 257 + 3), 5, 32), (3, 32 * (8 * 257 + 3), 3, 32), (2, 128 * (8 * 241 + 2), 3, 128) })
            foreach (bool asymmetric in new[] { false, true })
            {
                var p = Problem.Random(batch, k, n, gs, asymmetric, bias: false, seed: k + batch);
                AssertBitEqual(p.Run(KernelPath.Scalar, Activation.None).Y, p.Run(path, Activation.None).Y,
                    $"{path} batch={batch} k={k} n={n} gs={gs} asym={asymmetric}");
            }
    }

    /// <summary>
    /// Against fp64 arithmetic on x and the dequantized weights w'. Quantizing x per block moves each x_i by at most
    /// xScale / 2 (plus the division's rounding), so |y - y_ref| &lt;= sum over blocks of xScale * 0.5001 * sum |w'|;
    /// the fp32 work adds at most (blocks + 6) roundings of 2^-24 relative to the magnitudes involved, which for
    /// asymmetric blocks are |x| (|min| + 15 scale), the terms that cancel.
    /// </summary>
    [Theory]
    [MemberData(nameof(Paths))]
    public void WithinQuantizationErrorOfDequantizedReference(KernelPath path)
    {
        foreach (var (batch, k, n, gs, asymmetric, bias, seed) in Shapes(45, 200))
        {
            var p = Problem.Random(batch, k, n, gs, asymmetric, bias, seed);
            float[] w = p.Dequantized();
            var (y, xScales) = p.Run(path, Activation.None);
            int blocks = k / gs;
            for (int b = 0; b < batch; b++)
                for (int j = 0; j < n; j++)
                {
                    double exact = bias ? p.Bias[j] : 0, quantError = 0, magnitude = bias ? Math.Abs(p.Bias[j]) : 0;
                    for (int g = 0; g < blocks; g++)
                    {
                        double sumW = 0, scale = Math.Abs((double)(float)BitConverter.UInt16BitsToHalf(p.Scales[j * blocks + g]));
                        double min = asymmetric ? Math.Abs((double)(float)BitConverter.UInt16BitsToHalf(p.Mins[j * blocks + g])) : 0;
                        for (int i = g * gs; i < (g + 1) * gs; i++)
                        {
                            double wi = w[j * k + i], xi = p.X[b * k + i];
                            exact += xi * wi;
                            sumW += Math.Abs(wi);
                            magnitude += (Math.Abs(xi) + xScales[b * blocks + g]) * (Math.Abs(wi) + min + 15 * scale);
                        }
                        quantError += xScales[b * blocks + g] * 0.5001 * sumW;
                    }
                    double bound = quantError + (blocks + 6) * Math.Pow(2, -23) * magnitude;
                    Assert.True(Math.Abs(y[b * n + j] - exact) <= bound,
                        $"{path} k={k} gs={gs} asym={asymmetric} [{b},{j}]: {y[b * n + j]} vs {exact}, bound {bound}");
                }
        }
    }

    /// <summary>
    /// The scalar reference against the documented arithmetic written out here: nibbles read with
    /// <see cref="Int4Quantizer.Nibble"/>, per-block x quantization as <see cref="DenseKernels.Int8"/>'s rule.
    /// </summary>
    [Fact]
    public void ScalarFollowsTheDocumentedArithmetic()
    {
        foreach (var (batch, k, n, gs, asymmetric, bias, seed) in Shapes(30, 300))
        {
            var p = Problem.Random(batch, k, n, gs, asymmetric, bias, seed);
            var (y, xScales) = p.Run(KernelPath.Scalar, Activation.None);
            int blocks = k / gs;
            for (int b = 0; b < batch; b++)
                for (int j = 0; j < n; j++)
                {
                    var slots = new float[8];
                    for (int g = 0; g < blocks; g++)
                    {
                        float max = 0;
                        for (int i = g * gs; i < (g + 1) * gs; i++) max = Math.Max(max, Math.Abs(p.X[b * k + i]));
                        float xScale = max / 127;
                        Assert.Equal(xScale, xScales[b * blocks + g]);
                        int dot = 0, xSum = 0;
                        for (int i = g * gs; i < (g + 1) * gs; i++)
                        {
                            int q = xScale > 0 ? (int)Math.Clamp(Math.Round(p.X[b * k + i] / xScale, MidpointRounding.ToEven), -127, 127) : 0;
                            dot += q * Int4Quantizer.Nibble(p.W, j * k + i);
                            xSum += q;
                        }
                        float s = xScale * (float)BitConverter.UInt16BitsToHalf(p.Scales[j * blocks + g]);
                        float v = asymmetric
                            ? dot * s + xSum * (xScale * (float)BitConverter.UInt16BitsToHalf(p.Mins[j * blocks + g]))
                            : (dot - 8 * xSum) * s;
                        slots[g % 8] += v;
                    }
                    float sum = ((slots[0] + slots[1]) + (slots[2] + slots[3])) + ((slots[4] + slots[5]) + (slots[6] + slots[7]));
                    float expected = sum + (bias ? p.Bias[j] : 0f);
                    Assert.Equal(expected, y[b * n + j]);
                }
        }
    }

    /// <summary>
    /// Largest products everywhere: nibbles all 15 (or 0) against xq all ±127, where an int16 overflow in the
    /// VPMADDUBSW sums would show; every path equals the integer formula.
    /// </summary>
    [Theory]
    [MemberData(nameof(Paths))]
    public void ExtremeNibblesAndInputsAreExact(KernelPath path)
    {
        foreach (int gs in GroupSizes)
            foreach (byte fill in new byte[] { 0xFF, 0x00, 0x0F })
            {
                int k = 3 * gs, n = 5, batch = 3, blocks = 3;
                var p = Problem.Random(batch, k, n, gs, asymmetric: false, bias: false, seed: gs);
                Array.Fill(p.W, fill);
                Array.Fill(p.Scales, BitConverter.HalfToUInt16Bits((Half)0.25f));
                for (int i = 0; i < p.X.Length; i++) p.X[i] = (i / k) == 1 ? -2f : 2f;
                var (y, xScales) = p.Run(path, Activation.None);
                for (int b = 0; b < batch; b++)
                {
                    int q = b == 1 ? -127 : 127;
                    int lowSum = 16 * (fill & 0xF), highSum = 16 * (fill >> 4);
                    int dot = q * (lowSum + highSum) * (gs / 32);
                    float v = (dot - 8 * q * gs) * (xScales[b * blocks] * 0.25f);
                    float expected = ((v + v) + (v + 0f)) + ((0f + 0f) + (0f + 0f)); // blocks 0, 1, 2 in slots 0, 1, 2
                    for (int j = 0; j < n; j++)
                        Assert.Equal(expected, y[b * n + j]);
                }
            }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void ZeroBlocksAddNothingAndNonFiniteBlocksPoisonTheirRowOnly(KernelPath path)
    {
        var p = Problem.Random(4, 96, 9, 32, asymmetric: true, bias: true, seed: 5);
        Array.Clear(p.X, 0, 96);               // row 0 all zeros: act(bias)
        p.X[96 + 40] = float.NaN;              // row 1, block 1
        p.X[2 * 96 + 95] = float.PositiveInfinity;
        foreach (Activation activation in KernelTestData.Activations)
        {
            var (y, xScales) = p.Run(path, activation);
            for (int j = 0; j < 9; j++)
                Assert.Equal(ActivationFunctions.Apply(p.Bias[j], activation), y[j]);
            Assert.True(float.IsNaN(xScales[3 + 1]) && float.IsNaN(xScales[6 + 2]));
            Assert.All(y[9..27], v => Assert.True(float.IsNaN(v)));
            Assert.All(y[27..], v => Assert.False(float.IsNaN(v)));
        }
    }

    [Fact]
    public void BadArgumentsAreRejectedWithClearMessages()
    {
        const int batch = 2, k = 64, n = 3;
        float[] x = new float[batch * k], y = new float[batch * n], xScales = new float[batch * 2], bias = new float[n];
        byte[] w = new byte[n * k / 2];
        ushort[] scales = new ushort[n * 2];
        sbyte[] xq = new sbyte[batch * k];
        void Call(ReadOnlySpan<float> x2, ReadOnlySpan<byte> w2, ReadOnlySpan<ushort> s2, ReadOnlySpan<ushort> m2,
            ReadOnlySpan<float> b2, Span<float> y2, int k2, int gs, Span<sbyte> xq2, Span<float> xs2) =>
            DenseKernels.Int4(x2, w2, s2, m2, b2, y2, batch, k2, n, gs, Activation.None, xq2, xs2);

        foreach (int gs in new[] { 0, 16, 48, 256 })
            Assert.Contains("groupSize", Assert.Throws<ArgumentException>(() => Call(x, w, scales, [], bias, y, k, gs, xq, xScales)).Message);
        var notMultiple = Assert.Throws<ArgumentException>(() => Call(x, w, scales, [], bias, y, 96, 64, xq, xScales));
        Assert.Contains("96", notMultiple.Message);
        Assert.Contains("64", notMultiple.Message);
        Assert.Equal("w", Assert.Throws<ArgumentException>(() => Call(x, w.AsSpan(1), scales, [], bias, y, k, 32, xq, xScales)).ParamName);
        Assert.Equal("scales", Assert.Throws<ArgumentException>(() => Call(x, w, scales.AsSpan(1), [], bias, y, k, 32, xq, xScales)).ParamName);
        Assert.Equal("mins", Assert.Throws<ArgumentException>(() => Call(x, w, scales, new ushort[5], bias, y, k, 32, xq, xScales)).ParamName);
        Assert.Equal("x", Assert.Throws<ArgumentException>(() => Call(x.AsSpan(1), w, scales, [], bias, y, k, 32, xq, xScales)).ParamName);
        Assert.Equal("bias", Assert.Throws<ArgumentException>(() => Call(x, w, scales, [], bias.AsSpan(1), y, k, 32, xq, xScales)).ParamName);
        Assert.Equal("y", Assert.Throws<ArgumentException>(() => Call(x, w, scales, [], bias, y.AsSpan(1), k, 32, xq, xScales)).ParamName);
        Assert.Equal("xq", Assert.Throws<ArgumentException>(() => Call(x, w, scales, [], bias, y, k, 32, xq.AsSpan(1), xScales)).ParamName);
        Assert.Equal("xScales", Assert.Throws<ArgumentException>(() => Call(x, w, scales, [], bias, y, k, 32, xq, xScales.AsSpan(1))).ParamName);
        // Group size 64 needs only half the scales: the same buffers pass.
        Call(x, w.AsSpan(0, n * k / 2), scales.AsSpan(0, n), [], bias, y, k, 64, xq, xScales.AsSpan(0, batch));
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void KernelsDoNotAllocate(KernelPath path)
    {
        var sym = Problem.Random(5, 160, 7, 32, asymmetric: false, bias: true, seed: 1);
        var asym = Problem.Random(5, 128, 7, 64, asymmetric: true, bias: false, seed: 2);
        float[] y = new float[5 * 7], xScales = new float[5 * 5];
        sbyte[] xq = new sbyte[5 * 160];

        void Calls()
        {
            for (int i = 0; i < 40; i++)
            {
                int batch = i % 2 == 0 ? 1 : 5;
                var activation = (Activation)(i % 6);
                DenseKernels.Int4(path, sym.X, sym.W, sym.Scales, sym.Mins, sym.Bias, y, batch, 160, 7, 32, activation, xq, xScales);
                DenseKernels.Int4(path, asym.X, asym.W, asym.Scales, asym.Mins, asym.Bias, y, batch, 128, 7, 64, activation, xq, xScales);
                if (path == KernelPaths.Best)
                    DenseKernels.Int4(sym.X, sym.W, sym.Scales, sym.Mins, sym.Bias, y, batch, 160, 7, 32, activation, xq, xScales);
            }
        }

        Calls();
        AllocationAssert.SteadyStateAllocatesNothing(Calls, $"int4 kernel calls on {path}");
    }
}
