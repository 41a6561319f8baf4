using ModelGen.Kernels;

namespace ModelGen.Tests.Kernels;

public class SparseKernelTests
{
    public static TheoryData<KernelPath> Paths() => KernelTestData.Paths();

    /// <summary>The shape grid with keptPerRow cycling through sparsity 0.5, 0.8, 0.9, keptPerRow = 1 and = k,
    /// then wide rows that run the unrolled vector loops, their single steps and a partial last mask byte / group.</summary>
    private static IEnumerable<SparseProblem> Cases(bool twoOfFour, int seed)
    {
        int i = 0;
        foreach (var (k, n, batch, s) in KernelTestData.Shapes(40, seed))
        {
            int kept = (i++ % 5) switch
            {
                0 => SparseLayout.KeptPerRow(k, 0.5),
                1 => SparseLayout.KeptPerRow(k, 0.8),
                2 => SparseLayout.KeptPerRow(k, 0.9),
                3 => 1,
                _ => k,
            };
            yield return twoOfFour
                ? SparseProblem.TwoOfFourRandom(batch, k, n, s, bias: s % 3 != 0)
                : SparseProblem.Unstructured(batch, k, n, kept, s, bias: s % 3 != 0);
        }
        foreach (var (k, n) in new[] { (1030, 19), (1001, 6), (4099, 3) })
            foreach (double sparsity in new[] { 0.5, 0.8, 0.9 })
                yield return twoOfFour
                    ? SparseProblem.TwoOfFourRandom(1, k, n, k + n)
                    : SparseProblem.Unstructured(2, k, n, SparseLayout.KeptPerRow(k, sparsity), k + n);
    }

    /// <summary>
    /// Float tolerance: any two summation orders of the same m fp32 products (plus the bias) differ by at most
    /// 2 (m + 2) 2^-24 sum |x w| (each is within (m + 2) u of the exact sum); times GELU's largest slope 1.13, plus
    /// 5e-7 relative for the activation's own rounding. m = keptPerRow for two sparse paths, k against the dense kernel
    /// (its pruned products are exact zeros).
    /// </summary>
    private static double Tolerance(SparseProblem p, int terms, int b, int j, float expected) =>
        1.13 * 2 * (terms + 2) * Math.Pow(2, -24) * p.Magnitude(b, j) + 5e-7 * Math.Abs(expected) + 1e-30;

    [Theory]
    [MemberData(nameof(Paths))]
    public void UnstructuredFloatPathMatchesScalar(KernelPath path) => FloatPathMatchesScalar(path, twoOfFour: false);

    [Theory]
    [MemberData(nameof(Paths))]
    public void TwoOfFourFloatPathMatchesScalar(KernelPath path) => FloatPathMatchesScalar(path, twoOfFour: true);

    /// <summary>Weights past 4 MiB of values and indices (the AVX2 kernel's software-prefetching form), odd k and n.</summary>
    [Theory]
    [MemberData(nameof(Paths))]
    public void StreamedUnstructuredFloatPathMatchesScalar(KernelPath path) =>
        FloatPathMatchesScalar(path, twoOfFour: false, [SparseProblem.Unstructured(1, 4101, 861, SparseLayout.KeptPerRow(4101, 0.8), 77)]);

    private static void FloatPathMatchesScalar(KernelPath path, bool twoOfFour, IEnumerable<SparseProblem>? cases = null)
    {
        int c = 0;
        foreach (var p in cases ?? Cases(twoOfFour, twoOfFour ? 7100 : 7000))
        {
            Activation activation = KernelTestData.Activations[c++ % KernelTestData.Activations.Length];
            float[] expected = p.RunFloat(KernelPath.Scalar, activation), actual = p.RunFloat(path, activation);
            for (int b = 0; b < p.Batch; b++)
                for (int j = 0; j < p.N; j++)
                    Assert.True(Math.Abs(actual[b * p.N + j] - expected[b * p.N + j]) <= Tolerance(p, p.KeptPerRow, b, j, expected[b * p.N + j]),
                        $"{path} k={p.K} n={p.N} batch={p.Batch} kept={p.KeptPerRow} {activation} [{b},{j}]: {actual[b * p.N + j]} vs scalar {expected[b * p.N + j]}");
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void UnstructuredFloatMatchesDenseOnExpandedMatrix(KernelPath path) => FloatMatchesDense(path, twoOfFour: false);

    [Theory]
    [MemberData(nameof(Paths))]
    public void TwoOfFourFloatMatchesDenseOnExpandedMatrix(KernelPath path) => FloatMatchesDense(path, twoOfFour: true);

    private static void FloatMatchesDense(KernelPath path, bool twoOfFour)
    {
        foreach (var p in Cases(twoOfFour, twoOfFour ? 7300 : 7200))
        {
            float[] sparse = p.RunFloat(path, Activation.Relu);
            var dense = new float[p.Batch * p.N];
            DenseKernels.Float32(path, p.X, p.Expanded, p.Bias, dense, p.Batch, p.K, p.N, Activation.Relu);
            for (int b = 0; b < p.Batch; b++)
                for (int j = 0; j < p.N; j++)
                    Assert.True(Math.Abs(sparse[b * p.N + j] - dense[b * p.N + j]) <= Tolerance(p, p.K, b, j, dense[b * p.N + j]),
                        $"{path} k={p.K} n={p.N} batch={p.Batch} kept={p.KeptPerRow} [{b},{j}]: {sparse[b * p.N + j]} vs dense {dense[b * p.N + j]}");
        }
    }

    /// <summary>The scalar paths against the exact (double) product with the expanded matrix.</summary>
    [Fact]
    public void ScalarFloatFollowsTheExpandedMatrix()
    {
        foreach (bool twoOfFour in new[] { false, true })
            foreach (var p in Cases(twoOfFour, 7400))
            {
                float[] y = p.RunFloat(KernelPath.Scalar, Activation.None);
                for (int b = 0; b < p.Batch; b++)
                    for (int j = 0; j < p.N; j++)
                    {
                        double expected = p.Reference(b, j);
                        Assert.True(Math.Abs(y[b * p.N + j] - expected) <= (p.KeptPerRow + 2) * Math.Pow(2, -24) * (p.Magnitude(b, j) + Math.Abs(expected)) + 1e-30,
                            $"2:4={twoOfFour} k={p.K} n={p.N} kept={p.KeptPerRow} [{b},{j}]: {y[b * p.N + j]} vs exact {expected}");
                    }
            }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void UnstructuredInt8PathMatchesScalarExactly(KernelPath path) => Int8PathMatchesScalar(path, twoOfFour: false);

    [Theory]
    [MemberData(nameof(Paths))]
    public void TwoOfFourInt8PathMatchesScalarExactly(KernelPath path) => Int8PathMatchesScalar(path, twoOfFour: true);

    /// <summary>Integer dot products: equal on every path, and all share one dequantization expression, so y is bit-equal.</summary>
    /// <summary>x &gt;= 0 everywhere (pixels, ReLU outputs) takes the kernels' unsigned multiply step: still the scalar bits.</summary>
    [Theory]
    [MemberData(nameof(Paths))]
    public void Int8WithNonNegativeXMatchesScalarExactly(KernelPath path)
    {
        foreach (bool twoOfFour in new[] { false, true })
            foreach (var (k, n) in new[] { (1030, 19), (257, 6), (64, 5) })
            {
                var p = twoOfFour ? SparseProblem.TwoOfFourRandom(2, k, n, k + n) : SparseProblem.Unstructured(2, k, n, SparseLayout.KeptPerRow(k, 0.8), k + n);
                for (int i = 0; i < p.X.Length; i++) p.X[i] = Math.Abs(p.X[i]);
                var expected = p.RunInt8(KernelPath.Scalar, Activation.None);
                var actual = p.RunInt8(path, Activation.None);
                Assert.Equal(expected.Y, actual.Y);
            }
    }

    private static void Int8PathMatchesScalar(KernelPath path, bool twoOfFour)
    {
        int c = 0;
        foreach (var p in Cases(twoOfFour, twoOfFour ? 7600 : 7500))
        {
            Activation activation = KernelTestData.Activations[c++ % KernelTestData.Activations.Length];
            var expected = p.RunInt8(KernelPath.Scalar, activation);
            var actual = p.RunInt8(path, activation);
            Assert.Equal(expected.Xq, actual.Xq);
            Assert.Equal(expected.XScales, actual.XScales);
            Assert.Equal(expected.Y, actual.Y);
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void UnstructuredInt8EqualsDenseInt8OnExpandedMatrix(KernelPath path) => Int8MatchesDense(path, twoOfFour: false);

    [Theory]
    [MemberData(nameof(Paths))]
    public void TwoOfFourInt8EqualsDenseInt8OnExpandedMatrix(KernelPath path) => Int8MatchesDense(path, twoOfFour: true);

    /// <summary>Same quantized x, same int dot (pruned weights are zeros), same dequantization: bit-equal to DenseKernels.Int8.</summary>
    private static void Int8MatchesDense(KernelPath path, bool twoOfFour)
    {
        foreach (var p in Cases(twoOfFour, twoOfFour ? 7800 : 7700))
        {
            var sparse = p.RunInt8(path, Activation.Relu6);
            var y = new float[p.Batch * p.N];
            DenseKernels.Int8(path, p.X, p.QExpanded, p.WScales, p.Bias, y, p.Batch, p.K, p.N, Activation.Relu6,
                new sbyte[p.Batch * p.K], new float[p.Batch]);
            Assert.Equal(y, sparse.Y);
        }
    }

    /// <summary>Pruned weights do not exist: NaN or Inf in x at a column row j pruned does not reach y[., j].</summary>
    [Theory]
    [MemberData(nameof(Paths))]
    public void NonFiniteXAtPrunedColumnsDoesNotReachTheRow(KernelPath path)
    {
        foreach (bool twoOfFour in new[] { false, true })
        {
            const int k = 203, n = 4;
            var p = twoOfFour ? SparseProblem.TwoOfFourRandom(1, k, n, 5) : SparseProblem.Unstructured(1, k, n, SparseLayout.KeptPerRow(k, 0.8), 5);
            int[] pruned = Enumerable.Range(0, k).Where(c => p.Expanded[c] == 0).Take(2).ToArray();
            p.X[pruned[0]] = float.NaN;
            p.X[pruned[1]] = float.PositiveInfinity;
            Assert.True(float.IsFinite(p.RunFloat(path, Activation.None)[0]), $"{path} 2:4={twoOfFour}");
        }
    }

    /// <summary>fp32 column indices at or past k (in a middle row, in the last row's vector part and in its scalar tail) throw on every path.</summary>
    [Theory]
    [MemberData(nameof(Paths))]
    public void ColumnIndexPastKThrows(KernelPath path)
    {
        const int k = 203, n = 5;
        var p = SparseProblem.Unstructured(1, k, n, SparseLayout.KeptPerRow(k, 0.8), 9); // 41 kept: 2 x 16, 8, then 1
        int kept = p.KeptPerRow;
        foreach (var (row, t, column) in new[] { (2, 3, k), (n - 1, 20, 65535), (n - 1, kept - 1, k), (0, 35, 1000) })
        {
            byte[] structure = (byte[])p.Structure.Clone();
            structure[2 * (row * kept + t)] = (byte)column;
            structure[2 * (row * kept + t) + 1] = (byte)(column >> 8);
            var y = new float[n];
            var e = Assert.Throws<ArgumentException>("structure", () =>
                DenseKernels.SparseFloat32(path, p.X, p.Values, structure, p.Bias, y, 1, k, n, kept, Activation.None));
            Assert.Contains($"row {row}", e.Message);
        }
    }

    /// <summary>Malformed int8 masks (one bit too many, one too few, a bit past k) throw on every path, whatever reads they cut short.</summary>
    [Theory]
    [MemberData(nameof(Paths))]
    public void MalformedMaskThrows(KernelPath path)
    {
        const int k = 203, n = 5;
        var p = SparseProblem.Unstructured(1, k, n, SparseLayout.KeptPerRow(k, 0.8), 9);
        int bytes = (k + 7) / 8;
        foreach (var corrupt in new Action<byte[]>[]
        {
            s => s[bytes * (n - 1) + 3] = 0xFF,                        // last row: many columns too many
            s => ClearOneBit(s.AsSpan(bytes * 2, bytes)),                // row 2: one too few
            s => s[2 * bytes - 1] |= 0x80,                               // row 1: column 207 >= k
            s => Array.Fill(s, (byte)0xFF),                               // every row full
        })
        {
            byte[] structure = (byte[])p.Int8Structure.Clone();
            corrupt(structure);
            var y = new float[n];
            Assert.Throws<ArgumentException>("structure", () =>
                DenseKernels.SparseInt8(path, p.X, p.Q, structure, p.WScales, p.Bias, y, 1, k, n, p.KeptPerRow, Activation.None,
                    new sbyte[k], new float[1]));
        }
    }

    private static void ClearOneBit(Span<byte> row)
    {
        int i = row.IndexOfAnyExcept((byte)0);
        row[i] &= (byte)(row[i] - 1);
    }

    [Fact]
    public void BadArgumentsThrow()
    {
        const int batch = 2, k = 9, n = 3, kept = 2;
        float[] x = new float[batch * k], y = new float[batch * n], bias = new float[n], scales = new float[n];
        float[] values = new float[n * kept], values24 = new float[n * 6];
        sbyte[] q = new sbyte[n * kept], q24 = new sbyte[n * 6], xq = new sbyte[batch * k];
        byte[] index = new byte[2 * n * kept], mask = new byte[n * 2], meta = new byte[n * 2];
        float[] xScales = new float[batch];
        // Valid, all zeros except the int8 masks: marks columns 0 and 1 in every row (the fp32 indices are all column 0).
        for (int j = 0; j < n; j++) mask[2 * j] = 3;
        DenseKernels.SparseFloat32(x, values, index, bias, y, batch, k, n, kept, Activation.None);
        DenseKernels.SparseInt8(x, q, mask, scales, bias, y, batch, k, n, kept, Activation.None, xq, xScales);
        DenseKernels.TwoOfFourFloat32(x, values24, meta, bias, y, batch, k, n, Activation.None);
        DenseKernels.TwoOfFourInt8(x, q24, meta, scales, [], y, batch, k, n, Activation.None, xq, xScales);

        Assert.Throws<ArgumentException>("values", () => DenseKernels.SparseFloat32(x, values[..^1], index, bias, y, batch, k, n, kept, Activation.None));
        Assert.Throws<ArgumentException>("structure", () => DenseKernels.SparseFloat32(x, values, index[..^1], bias, y, batch, k, n, kept, Activation.None));
        Assert.Throws<ArgumentException>("x", () => DenseKernels.SparseFloat32(x[..^1], values, index, bias, y, batch, k, n, kept, Activation.None));
        Assert.Throws<ArgumentException>("y", () => DenseKernels.SparseFloat32(x, values, index, bias, y[..^1], batch, k, n, kept, Activation.None));
        Assert.Throws<ArgumentException>("bias", () => DenseKernels.SparseFloat32(x, values, index, bias[..^1], y, batch, k, n, kept, Activation.None));
        Assert.Throws<ArgumentOutOfRangeException>("keptPerRow", () => DenseKernels.SparseFloat32(x, values, index, bias, y, batch, k, n, 0, Activation.None));
        Assert.Throws<ArgumentOutOfRangeException>("keptPerRow", () => DenseKernels.SparseFloat32(x, new float[100], new byte[200], bias, y, batch, k, n, k + 1, Activation.None));
        Assert.Throws<ArgumentOutOfRangeException>("k", () => DenseKernels.SparseFloat32(x, values, index, bias, y, batch, 0, n, kept, Activation.None));
        Assert.Throws<ArgumentOutOfRangeException>("k", () => DenseKernels.SparseFloat32(new float[70000], values, index, bias, new float[n], 1, 70000, n, kept, Activation.None));
        Assert.Throws<ArgumentOutOfRangeException>("activation", () => DenseKernels.SparseFloat32(x, values, index, bias, y, batch, k, n, kept, (Activation)99));
        Assert.Throws<ArgumentException>("structure", () => DenseKernels.SparseInt8(x, q, mask[..^1], scales, bias, y, batch, k, n, kept, Activation.None, xq, xScales));
        Assert.Throws<ArgumentException>("values", () => DenseKernels.SparseInt8(x, q[..^1], mask, scales, bias, y, batch, k, n, kept, Activation.None, xq, xScales));
        Assert.Throws<ArgumentException>("wScales", () => DenseKernels.SparseInt8(x, q, mask, scales[..^1], bias, y, batch, k, n, kept, Activation.None, xq, xScales));
        Assert.Throws<ArgumentException>("xq", () => DenseKernels.SparseInt8(x, q, mask, scales, bias, y, batch, k, n, kept, Activation.None, xq[..^1], xScales));
        Assert.Throws<ArgumentException>("xScales", () => DenseKernels.SparseInt8(x, q, mask, scales, bias, y, batch, k, n, kept, Activation.None, xq, xScales[..^1]));
        Assert.Throws<ArgumentException>("values", () => DenseKernels.TwoOfFourFloat32(x, values24[..^1], meta, bias, y, batch, k, n, Activation.None));
        Assert.Throws<ArgumentException>("meta", () => DenseKernels.TwoOfFourFloat32(x, values24, meta[..^1], bias, y, batch, k, n, Activation.None));
        Assert.Throws<ArgumentException>("values", () => DenseKernels.TwoOfFourInt8(x, q24[..^1], meta, scales, bias, y, batch, k, n, Activation.None, xq, xScales));
        Assert.Throws<ArgumentException>("meta", () => DenseKernels.TwoOfFourInt8(x, q24, meta[..^1], scales, bias, y, batch, k, n, Activation.None, xq, xScales));
        Assert.Throws<ArgumentException>("wScales", () => DenseKernels.TwoOfFourInt8(x, q24, meta, scales[..^1], bias, y, batch, k, n, Activation.None, xq, xScales));
        Assert.Throws<ArgumentException>("y", () => DenseKernels.TwoOfFourFloat32(x, values24, meta, bias, x.AsSpan(0, batch * n), batch, k, n, Activation.None));
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void SparseKernelsDoNotAllocate(KernelPath path)
    {
        const int batch = 3, k = 77, n = 6;
        var u = SparseProblem.Unstructured(batch, k, n, SparseLayout.KeptPerRow(k, 0.8), 11);
        var t = SparseProblem.TwoOfFourRandom(batch, k, n, 12);
        float[] y = new float[batch * n], xScales = new float[batch];
        sbyte[] xq = new sbyte[batch * k];

        void Calls()
        {
            for (int i = 0; i < 20; i++)
            {
                int b = i % 2 == 0 ? 1 : batch;
                var activation = (Activation)(i % 6);
                DenseKernels.SparseFloat32(path, u.X, u.Values, u.Structure, u.Bias, y, b, k, n, u.KeptPerRow, activation);
                DenseKernels.SparseInt8(path, u.X, u.Q, u.Int8Structure, u.WScales, u.Bias, y, b, k, n, u.KeptPerRow, activation, xq, xScales);
                DenseKernels.TwoOfFourFloat32(path, t.X, t.Values, t.Structure, t.Bias, y, b, k, n, activation);
                DenseKernels.TwoOfFourInt8(path, t.X, t.Q, t.Int8Structure, t.WScales, t.Bias, y, b, k, n, activation, xq, xScales);
                if (path == KernelPaths.Best)
                {
                    DenseKernels.SparseFloat32(u.X, u.Values, u.Structure, u.Bias, y, b, k, n, u.KeptPerRow, activation);
                    DenseKernels.SparseInt8(u.X, u.Q, u.Int8Structure, u.WScales, u.Bias, y, b, k, n, u.KeptPerRow, activation, xq, xScales);
                    DenseKernels.TwoOfFourFloat32(t.X, t.Values, t.Structure, t.Bias, y, b, k, n, activation);
                    DenseKernels.TwoOfFourInt8(t.X, t.Q, t.Int8Structure, t.WScales, t.Bias, y, b, k, n, activation, xq, xScales);
                }
            }
        }

        Calls();
        AllocationAssert.SteadyStateAllocatesNothing(Calls, $"sparse kernel calls on {path}");
    }
}
