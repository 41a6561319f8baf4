using ModelGen.Kernels;
using ModelGen.Quantization;

namespace ModelGen.Tests.Quantization;

public class PrunerTests
{
    [Theory]
    [InlineData(10, 0.8, 2)]
    [InlineData(784, 0.8, 157)]   // 156.8
    [InlineData(4096, 0.8, 819)]  // 819.2
    [InlineData(5, 0.5, 2)]       // 2.5 -> even
    [InlineData(7, 0.5, 4)]       // 3.5 -> even
    [InlineData(3, 0.9, 1)]       // 0.3 -> 0 -> at least 1
    [InlineData(9, 0.0, 9)]
    [InlineData(1, 0.99, 1)]
    public void KeptPerRowFollowsTheFormula(int k, double sparsity, int expected) =>
        Assert.Equal(expected, SparseLayout.KeptPerRow(k, sparsity));

    [Theory]
    [InlineData(1.0)]
    [InlineData(-0.01)]
    [InlineData(double.NaN)]
    [InlineData(1.5)]
    public void ImpossibleSparsityThrows(double sparsity)
    {
        Assert.Throws<ArgumentOutOfRangeException>("sparsity", () => SparseLayout.KeptPerRow(10, sparsity));
        Assert.Throws<ArgumentOutOfRangeException>("sparsity", () => SparseLayout.PrefersUnstructured(10, 10, sparsity, false));
    }

    [Fact]
    public void LayoutSizesAreClosedForm()
    {
        Assert.Equal(3 * 5 * 2, SparseLayout.UnstructuredStructureBytes(3, 17, 5));                 // fp32: uint16 per value
        Assert.Equal(3 * 3, SparseLayout.UnstructuredStructureBytes(3, 17, 5, int8Values: true));   // int8: ceil(17 / 8) bytes a row
        Assert.Equal(3 * 5, SparseLayout.UnstructuredValueCount(3, 17, 5));
        Assert.Equal(3 * 3, SparseLayout.TwoOfFourMetaBytes(3, 17));             // 5 groups -> 3 bytes a row
        Assert.Equal(3 * 10, SparseLayout.TwoOfFourValueCount(3, 17));           // 2 values per group
        Assert.Equal(4096L * 512, SparseLayout.UnstructuredStructureBytes(4096, 4096, 819, int8Values: true));
        Assert.Equal(4096L * 819 * 2, SparseLayout.UnstructuredStructureBytes(4096, 4096, 819, int8Values: false));
        Assert.Throws<ArgumentOutOfRangeException>("k", () => SparseLayout.UnstructuredStructureBytes(1, 65537, 5));
        Assert.Equal(65536L, SparseLayout.UnstructuredStructureBytes(1, 65536, 32768));
        Assert.Equal(4096L * 512, SparseLayout.TwoOfFourMetaBytes(4096, 4096));
        Assert.Equal(4096L * 2048, SparseLayout.TwoOfFourValueCount(4096, 4096));
        Assert.Throws<ArgumentOutOfRangeException>("keptPerRow", () => SparseLayout.UnstructuredValueCount(3, 17, 18));
        Assert.Throws<ArgumentOutOfRangeException>("keptPerRow", () => SparseLayout.UnstructuredStructureBytes(3, 17, 0));
        Assert.Throws<ArgumentOutOfRangeException>("k", () => SparseLayout.TwoOfFourValueCount(3, 0));
        Assert.Throws<ArgumentOutOfRangeException>("n", () => SparseLayout.TwoOfFourMetaBytes(-1, 4));
    }

    [Fact]
    public void CostRuleFollowsTheMeasuredThresholds()
    {
        // fp32 streamed from memory (64 MiB dense): from 0.75.
        Assert.True(SparseLayout.PrefersUnstructured(4096, 4096, 0.75, int8Values: false));
        Assert.False(SparseLayout.PrefersUnstructured(4096, 4096, 0.74, int8Values: false));
        // fp32 cache-resident (784 x 256, 0.8 MiB): from 0.95.
        Assert.True(SparseLayout.PrefersUnstructured(256, 784, 0.95, int8Values: false));
        Assert.False(SparseLayout.PrefersUnstructured(256, 784, 0.94, int8Values: false));
        // fp32 small (128 x 256, 0.1 MiB): never.
        Assert.False(SparseLayout.PrefersUnstructured(128, 256, 0.99, int8Values: false));
        // The size boundaries are inclusive.
        Assert.True(SparseLayout.PrefersUnstructured(1, (int)(SparseLayout.Float32StreamedBytes / 4), 0.8, int8Values: false));
        Assert.False(SparseLayout.PrefersUnstructured(1, (int)(SparseLayout.Float32StreamedBytes / 4) - 1, 0.8, int8Values: false)); // cached: 0.95
        Assert.True(SparseLayout.PrefersUnstructured(1, (int)(SparseLayout.Float32SmallBytes / 4), 0.95, int8Values: false));
        Assert.False(SparseLayout.PrefersUnstructured(1, (int)(SparseLayout.Float32SmallBytes / 4) - 1, 0.95, int8Values: false));
        // int8: never.
        Assert.False(SparseLayout.PrefersUnstructured(4096, 4096, 0.99, int8Values: true));
    }

    /// <summary>Row [0.1, -3, 2, -2, 0.5, 3, 0], keep 3: |3| twice (columns 1, 5), then |2| at 2 and 3 tie: the lower column wins.</summary>
    [Fact]
    public void UnstructuredKeepsLargestMagnitudesTiesToLowerColumn()
    {
        float[] w = [0.1f, -3f, 2f, -2f, 0.5f, 3f, 0f];
        var values = new float[3];
        var index = new byte[6];
        MagnitudePruner.PruneUnstructured(w, 1, 7, 3, values, index);
        Assert.Equal([-3f, 2f, 3f], values);
        Assert.Equal([1, 0, 2, 0, 5, 0], index);
        var q = new sbyte[3];
        var scales = new float[1];
        var mask = new byte[1];
        MagnitudePruner.PruneUnstructuredInt8(w, 1, 7, 3, q, scales, mask);
        Assert.Equal(0b100110, mask[0]);
        Assert.Equal([-127, 85, 127], q.Select(v => (int)v)); // 2 / (3 / 127) = 84.67
        Assert.Equal(3f / 127, scales[0]);

        float[] zeros = [-0f, 0f, 0f, 1f]; // -0 and +0 tie: the first kept
        MagnitudePruner.PruneUnstructured(zeros, 1, 4, 2, values.AsSpan(0, 2), index.AsSpan(0, 4));
        Assert.Equal([0, 0, 3, 0], index[..4]);
    }

    /// <summary>On random rows (with repeated magnitudes): exactly keptPerRow kept, none smaller than a dropped one, ties to lower columns.</summary>
    [Fact]
    public void UnstructuredSelectionProperties()
    {
        var random = new Random(5);
        foreach (int k in new[] { 1, 3, 8, 9, 33, 100 })
            foreach (double sparsity in new[] { 0.0, 0.5, 0.8, 0.9 })
            {
                const int n = 7;
                int kept = SparseLayout.KeptPerRow(k, sparsity);
                float[] w = Enumerable.Range(0, n * k).Select(_ => (float)(random.Next(-6, 7) * 0.25)).ToArray();
                var values = new float[n * kept];
                var index = new byte[SparseLayout.UnstructuredStructureBytes(n, k, kept)];
                MagnitudePruner.PruneUnstructured(w, n, k, kept, values, index);
                var mask = new byte[SparseLayout.UnstructuredStructureBytes(n, k, kept, int8Values: true)];
                MagnitudePruner.PruneUnstructuredInt8(w, n, k, kept, new sbyte[n * kept], new float[n], mask);
                int bytes = (k + 7) / 8;
                for (int j = 0; j < n; j++)
                {
                    var keptCols = Enumerable.Range(0, k).Where(c => (mask[j * bytes + c / 8] >> (c % 8) & 1) != 0).ToArray();
                    Assert.Equal(kept, keptCols.Length);
                    // Both layouts keep the same columns, the fp32 one lists them in order.
                    Assert.Equal(keptCols, Enumerable.Range(0, kept).Select(t => index[2 * (j * kept + t)] | index[2 * (j * kept + t) + 1] << 8));
                    Assert.Equal(keptCols.Select(c => w[j * k + c]), values.Skip(j * kept).Take(kept));
                    float minKept = keptCols.Min(c => Math.Abs(w[j * k + c]));
                    foreach (int c in Enumerable.Range(0, k).Except(keptCols))
                    {
                        float m = Math.Abs(w[j * k + c]);
                        Assert.True(m <= minKept, $"k={k} row {j}: dropped |{m}| above kept |{minKept}|");
                        if (m == minKept)
                            Assert.True(keptCols.Where(kc => Math.Abs(w[j * k + kc]) == m).All(kc => kc < c), "a tie kept a higher column");
                    }
                }
            }
    }

    /// <summary>Groups [1, -4, 4, 2] (the 4s tie: columns 1, 2) and [0.5, -0.25, 0, -3] (columns 0, 3); a partial group [7] keeps 7 and padding.</summary>
    [Fact]
    public void TwoOfFourKeepsTheTwoLargestOfEachGroup()
    {
        float[] w = [1f, -4f, 4f, 2f, 0.5f, -0.25f, 0f, -3f, 7f];
        var values = new float[SparseLayout.TwoOfFourValueCount(1, 9)];
        var meta = new byte[SparseLayout.TwoOfFourMetaBytes(1, 9)];
        MagnitudePruner.PruneTwoOfFour(w, 1, 9, values, meta);
        Assert.Equal([-4f, 4f, 0.5f, -3f, 7f, 0f], values);
        Assert.Equal([(byte)(1 | 2 << 2 | (0 | 3 << 2) << 4), (byte)(0 | 1 << 2)], meta);

        var dense = new float[9];
        MagnitudePruner.ExpandTwoOfFour(values, meta, 1, 9, dense);
        Assert.Equal([0f, -4f, 4f, 0f, 0.5f, 0f, 0f, -3f, 7f], dense);
    }

    [Fact]
    public void ZeroingEqualsPruneThenExpand()
    {
        var random = new Random(8);
        foreach (int k in new[] { 1, 2, 3, 5, 8, 13, 64, 67, 200 })
        {
            const int n = 19; // two 8-row slices of the fp32 2:4 layout, then 3 row-major rows
            float[] w = Enumerable.Range(0, n * k).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
            int kept = SparseLayout.KeptPerRow(k, 0.8);

            var values = new float[n * kept];
            var index = new byte[SparseLayout.UnstructuredStructureBytes(n, k, kept)];
            MagnitudePruner.PruneUnstructured(w, n, k, kept, values, index);
            var expanded = new float[n * k];
            MagnitudePruner.ExpandUnstructured(values, index, n, k, kept, expanded);
            float[] zeroed = (float[])w.Clone();
            MagnitudePruner.ZeroUnstructured(zeroed, n, k, kept);
            Assert.Equal(expanded, zeroed);

            // int8: the same zeros, the kept weights within half a scale.
            var q = new sbyte[n * kept];
            var scales = new float[n];
            var mask = new byte[SparseLayout.UnstructuredStructureBytes(n, k, kept, int8Values: true)];
            MagnitudePruner.PruneUnstructuredInt8(w, n, k, kept, q, scales, mask);
            var dequantized = new float[n * k];
            MagnitudePruner.ExpandUnstructuredInt8(q, scales, mask, n, k, kept, dequantized);
            for (int i = 0; i < n * k; i++)
            {
                if (zeroed[i] == 0) Assert.Equal(0f, dequantized[i]);
                Assert.True(Math.Abs(dequantized[i] - zeroed[i]) <= scales[i / k] / 2 * 1.0001, $"k={k} [{i}]");
            }

            var values24 = new float[SparseLayout.TwoOfFourValueCount(n, k)];
            var meta = new byte[SparseLayout.TwoOfFourMetaBytes(n, k)];
            MagnitudePruner.PruneTwoOfFour(w, n, k, values24, meta);
            MagnitudePruner.ExpandTwoOfFour(values24, meta, n, k, expanded);
            zeroed = (float[])w.Clone();
            MagnitudePruner.ZeroTwoOfFour(zeroed, n, k);
            Assert.Equal(expanded, zeroed);
            for (int j = 0; j < n; j++)
                for (int g = 0; 4 * g < k; g++)
                    Assert.Equal(Math.Min(2, k - 4 * g), Enumerable.Range(4 * g, Math.Min(4, k - 4 * g)).Count(c => zeroed[j * k + c] != 0));

            // int8 2:4 (row-major): the same positions, the kept weights within half a scale.
            int perRow = 2 * ((k + 3) / 4);
            var q24 = new sbyte[values24.Length];
            var scales24 = new float[n];
            var meta8 = new byte[meta.Length];
            MagnitudePruner.PruneTwoOfFourInt8(w, n, k, q24, scales24, meta8);
            for (int j = 0; j < n; j++)
                for (int g = 0; 4 * g < k; g++)
                {
                    var (first, second) = Kernels.SparseProblem.Int8Positions24(meta8, k, j, g);
                    foreach (var (p, t) in new[] { (first, 0), (second, 1) })
                    {
                        float keptWeight = 4 * g + p < k ? zeroed[j * k + 4 * g + p] : 0f;
                        Assert.True(4 * g + p >= k || keptWeight != 0, $"k={k} row {j} group {g}: int8 kept a pruned weight");
                        Assert.True(Math.Abs(q24[j * perRow + 2 * g + t] * scales24[j] - keptWeight) <= scales24[j] / 2 * 1.0001);
                    }
                }
        }
    }

    /// <summary>int8 values: Int8Quantizer on the packed rows, so each scale comes from the kept values only.</summary>
    [Fact]
    public void Int8ScalesComeFromKeptValues()
    {
        float[] w = [0.5f, -0.1f, 0.2f, 0.05f, -1f, 0.3f, 0.02f, 0.2f, /* row 2 */ 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f];
        var q = new sbyte[4];
        var scales = new float[2];
        var mask = new byte[2];
        MagnitudePruner.PruneUnstructuredInt8(w, 2, 8, 2, q, scales, mask);
        Assert.Equal([1f / 127, 0f], scales);
        Assert.Equal([64, -127, 0, 0], q.Select(v => (int)v));
        Assert.Equal([0b10001, 0b11], mask);
    }

    [Fact]
    public void NonFiniteWeightsThrowWithTheirPosition()
    {
        float[] w = [1f, 2f, 3f, 4f, 5f, float.NaN];
        var e = Assert.Throws<ArgumentException>(() => MagnitudePruner.PruneUnstructured(w, 2, 3, 1, new float[2], new byte[4], "fc1.weight"));
        Assert.Contains("'fc1.weight': row 1, column 2 holds NaN", e.Message);
        e = Assert.Throws<ArgumentException>(() => MagnitudePruner.PruneUnstructuredInt8(w, 2, 3, 1, new sbyte[2], new float[2], new byte[2], "fc1.weight"));
        Assert.Contains("'fc1.weight': row 1, column 2 holds NaN", e.Message);
        w[5] = 0; w[1] = float.NegativeInfinity;
        e = Assert.Throws<ArgumentException>(() => MagnitudePruner.PruneTwoOfFour(w, 2, 3, new float[4], new byte[2]));
        Assert.Contains("row 0, column 1 holds -Inf", e.Message);
        Assert.Throws<ArgumentException>(() => MagnitudePruner.ZeroUnstructured(w, 2, 3, 1));
        Assert.Throws<ArgumentException>(() => MagnitudePruner.ZeroTwoOfFour(w, 2, 3));
    }

    [Fact]
    public void BadShapesAndShortSpansThrow()
    {
        float[] w = new float[6];
        Assert.Throws<ArgumentException>("w", () => MagnitudePruner.PruneUnstructured(w[..5], 2, 3, 1, new float[2], new byte[4]));
        Assert.Throws<ArgumentException>("values", () => MagnitudePruner.PruneUnstructured(w, 2, 3, 1, new float[1], new byte[4]));
        Assert.Throws<ArgumentException>("structure", () => MagnitudePruner.PruneUnstructured(w, 2, 3, 1, new float[2], new byte[3]));
        Assert.Throws<ArgumentOutOfRangeException>("keptPerRow", () => MagnitudePruner.PruneUnstructured(w, 2, 3, 4, new float[8], new byte[16]));
        Assert.Throws<ArgumentException>("values", () => MagnitudePruner.PruneUnstructuredInt8(w, 2, 3, 1, new sbyte[1], new float[2], new byte[2]));
        Assert.Throws<ArgumentException>("scales", () => MagnitudePruner.PruneUnstructuredInt8(w, 2, 3, 1, new sbyte[2], new float[1], new byte[2]));
        Assert.Throws<ArgumentException>("structure", () => MagnitudePruner.PruneUnstructuredInt8(w, 2, 3, 1, new sbyte[2], new float[2], new byte[1]));
        Assert.Throws<ArgumentOutOfRangeException>("keptPerRow", () => MagnitudePruner.ZeroUnstructured(w, 2, 3, 0));
        Assert.Throws<ArgumentException>("values", () => MagnitudePruner.PruneTwoOfFour(w, 2, 3, new float[3], new byte[2]));
        Assert.Throws<ArgumentException>("meta", () => MagnitudePruner.PruneTwoOfFour(w, 2, 3, new float[4], new byte[1]));
        Assert.Throws<ArgumentOutOfRangeException>("k", () => MagnitudePruner.PruneTwoOfFour(w, 2, 0, new float[4], new byte[2]));
        // Expand rejects structures the pruner cannot produce.
        Assert.Throws<ArgumentException>("structure", () => MagnitudePruner.ExpandUnstructured(new float[2], [0, 0, 3, 0], 2, 3, 1, w)); // column 3 >= k
        Assert.Throws<ArgumentException>("structure", () => MagnitudePruner.ExpandUnstructured(new float[4], [1, 0, 1, 0, 0, 0, 1, 0], 2, 3, 2, w)); // repeated
        Assert.Throws<ArgumentException>("structure", () => MagnitudePruner.ExpandUnstructuredInt8(new sbyte[2], new float[2], [0b11, 0b1], 2, 3, 1, w));
        Assert.Throws<ArgumentException>("structure", () => MagnitudePruner.ExpandUnstructuredInt8(new sbyte[2], new float[2], [0b1000, 0b1], 2, 3, 1, w));
        Assert.Throws<ArgumentException>("meta", () => MagnitudePruner.ExpandTwoOfFour(new float[4], [0b0101, 0b0100], 2, 3, w));
    }
}
