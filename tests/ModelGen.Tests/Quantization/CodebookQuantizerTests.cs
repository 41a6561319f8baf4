using ModelGen.Numerics;
using ModelGen.Quantization;

namespace ModelGen.Tests.Quantization;

public class CodebookQuantizerTests
{
    public static TheoryData<int, bool> Configurations() => new() { { 16, true }, { 16, false }, { 256, true }, { 256, false } };

    /// <summary>
    /// Laplace-distributed weights (scale 0.05), a trained layer's shape: dense near zero, long tails. For C levels the
    /// uniform grid over the sample's range (about +-8.3 scales for 8000 samples) has squared error ~23 b^2 / C^2 per
    /// weight, an optimal non-uniform quantizer ~9 b^2 / C^2 (Panter-Dite): k-means should get well below 0.6 of the grid.
    /// </summary>
    private static float[] Skewed(int length, int seed)
    {
        var random = new Random(seed);
        var w = new float[length];
        for (int i = 0; i < length; i++)
        {
            double u = random.NextDouble() - 0.5;
            w[i] = (float)(-0.05 * Math.Sign(u) * Math.Log(1 - 2 * Math.Abs(u)));
        }
        return w;
    }

    private static (byte[] Indices, ushort[] Codebook, float[] Restored) RoundTrip(float[] w, int n, int k, int centroids, bool perRow)
    {
        var indices = new byte[n * CodebookQuantizer.IndexBytesPerRow(k, centroids)];
        var codebook = new ushort[(perRow ? n : 1) * centroids];
        CodebookQuantizer.Quantize(w, n, k, centroids, perRow, indices, codebook);
        var restored = new float[n * k];
        CodebookQuantizer.Dequantize(indices, codebook, n, k, centroids, perRow, restored);
        return (indices, codebook, restored);
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public void Quantization_is_deterministic(int centroids, bool perRow)
    {
        float[] w = Skewed(9 * 301, 5);
        var first = RoundTrip(w, 9, 301, centroids, perRow);
        var second = RoundTrip(w.ToArray(), 9, 301, centroids, perRow);
        Assert.Equal(first.Indices, second.Indices);
        Assert.Equal(first.Codebook, second.Codebook);
    }

    /// <summary>
    /// The same output on every machine and path (the fit is scalar code, sorting plus double sums): a hash of indices
    /// and codebook for a fixed input, recorded on x64; the arm64 (qemu) and no-SIMD runs of this suite compare it too.
    /// </summary>
    [Fact]
    public void Quantization_matches_the_recorded_output()
    {
        // Only integer-seeded Random and + - * /: the input itself is the same everywhere (Math.Log need not be).
        var random = new Random(11);
        float[] w = new float[17 * 129];
        for (int i = 0; i < w.Length; i++)
        {
            double u = random.NextDouble() * 2 - 1;
            w[i] = (float)(0.05 * u / (1.05 - Math.Abs(u)));
        }
        ulong hash = 14695981039346656037;
        foreach (var (centroids, perRow) in new[] { (16, true), (16, false), (256, true), (256, false) })
        {
            var (indices, codebook, _) = RoundTrip(w, 17, 129, centroids, perRow);
            foreach (byte b in indices) hash = (hash ^ b) * 1099511628211;
            foreach (ushort h in codebook) hash = (hash ^ h) * 1099511628211;
        }
        Assert.Equal(RecordedHash, hash);
    }

    private const ulong RecordedHash = 3491012739728372203;

    /// <summary>k-means places levels where the weights are dense: lower squared error than a uniform min..max grid.</summary>
    [Theory]
    [MemberData(nameof(Configurations))]
    public void Kmeans_beats_the_uniform_grid_on_skewed_weights(int centroids, bool perRow)
    {
        const int n = 8, k = 1000;
        float[] w = Skewed(n * k, 3);
        var (_, _, restored) = RoundTrip(w, n, k, centroids, perRow);
        double kmeans = 0, uniform = 0;
        for (int r = 0; r < n; r++)
        {
            ReadOnlySpan<float> row = w.AsSpan(r * k, k);
            ReadOnlySpan<float> group = perRow ? row : w;
            float min = float.MaxValue, max = float.MinValue;
            foreach (float v in group) { min = Math.Min(min, v); max = Math.Max(max, v); }
            double step = (max - min) / (centroids - 1);
            for (int i = 0; i < k; i++)
            {
                double grid = min + Math.Round((row[i] - min) / step) * step;
                uniform += (row[i] - grid) * (row[i] - grid);
                kmeans += (row[i] - restored[r * k + i]) * (double)(row[i] - restored[r * k + i]);
            }
        }
        Assert.True(kmeans < 0.6 * uniform, $"k-means squared error {kmeans} vs uniform grid {uniform}");
    }

    /// <summary>A tensor (or row) with at most C distinct fp16-representable values comes back bit for bit.</summary>
    [Theory]
    [MemberData(nameof(Configurations))]
    public void Few_distinct_values_are_reproduced_exactly(int centroids, bool perRow)
    {
        const int n = 5, k = 33;
        var random = new Random(centroids);
        // Per row: up to C values of its own; shared: C values for the whole tensor. Some rows use fewer (unused entries).
        float[] palette = Array.ConvertAll(new float[centroids], _ => (float)(Half)(random.NextDouble() * 8 - 4));
        palette[0] = 0f;
        palette[1] = -0.5f;
        palette[2] = (float)(Half)6e-6f; // an fp16 subnormal
        var w = new float[n * k];
        for (int r = 0; r < n; r++)
        {
            // Row r draws from a window of the palette; per row, some rows use a single value.
            int distinct = perRow ? Math.Min(centroids, 1 + r * (centroids / 4)) : centroids;
            for (int i = 0; i < k; i++)
                w[r * k + i] = palette[perRow ? (r * 3 + random.Next(distinct)) % centroids : random.Next(centroids)];
        }
        var (_, _, restored) = RoundTrip(w, n, k, centroids, perRow);
        Assert.Equal(w.Select(BitConverter.SingleToInt32Bits), restored.Select(BitConverter.SingleToInt32Bits));
    }

    /// <summary>
    /// Every index is in range and lands on the nearest codebook entry; the nibble after an odd row's last weight is 0;
    /// unused entries are +0.
    /// </summary>
    [Theory]
    [MemberData(nameof(Configurations))]
    public void Indices_pick_the_nearest_entry(int centroids, bool perRow)
    {
        const int n = 6, k = 77;
        float[] w = Skewed(n * k, 9);
        w[5] = w[6] = w[7] = 3f; // duplicates and an outlier
        var (indices, codebook, restored) = RoundTrip(w, n, k, centroids, perRow);
        int rowBytes = CodebookQuantizer.IndexBytesPerRow(k, centroids);
        for (int r = 0; r < n; r++)
        {
            ReadOnlySpan<ushort> book = codebook.AsSpan(perRow ? r * centroids : 0, centroids);
            if (centroids == 16) Assert.Equal(0, indices[r * rowBytes + rowBytes - 1] >> 4);
            for (int i = 0; i < k; i++)
            {
                int index = centroids == 16 ? (indices[r * rowBytes + i / 2] >> (i % 2 * 4)) & 0xF : indices[r * rowBytes + i];
                Assert.InRange(index, 0, centroids - 1);
                float value = HalfConversion.ToSingle(book[index]);
                Assert.Equal(value, restored[r * k + i]);
                double error = Math.Abs((double)w[r * k + i] - value);
                foreach (ushort entry in book)
                    Assert.True(error <= Math.Abs((double)w[r * k + i] - HalfConversion.ToSingle(entry)),
                        $"[{r},{i}] {w[r * k + i]} -> {value}, but {HalfConversion.ToSingle(entry)} is nearer");
            }
        }
    }

    [Fact]
    public void Rows_with_fewer_values_than_centroids_leave_unused_zero_entries()
    {
        float[] w = [1.5f, -2f, 1.5f, 1.5f, 0.25f, 0.25f];
        var (indices, codebook, restored) = RoundTrip(w, 2, 3, 16, perRow: true);
        Assert.Equal(w, restored);
        Assert.Equal([-2f, 1.5f], codebook.Take(2).Select(HalfConversion.ToSingle));
        Assert.All(codebook.Skip(2).Take(14).Concat(codebook.Skip(18)), h => Assert.Equal(0, h));
        Assert.Equal([0x01, 0x01, 0x01, 0x00], indices);
    }

    [Fact]
    public void Index_bytes_per_row()
    {
        Assert.Equal(4, CodebookQuantizer.IndexBytesPerRow(7, 16));
        Assert.Equal(4, CodebookQuantizer.IndexBytesPerRow(8, 16));
        Assert.Equal(0, CodebookQuantizer.IndexBytesPerRow(0, 16));
        Assert.Equal(7, CodebookQuantizer.IndexBytesPerRow(7, 256));
        Assert.Throws<ArgumentOutOfRangeException>(() => CodebookQuantizer.IndexBytesPerRow(7, 17));
        Assert.Throws<ArgumentOutOfRangeException>(() => CodebookQuantizer.IndexBytesPerRow(-1, 16));
    }

    [Fact]
    public void Bad_inputs_throw_clear_errors()
    {
        float[] w = Skewed(3 * 5, 1);
        byte[] indices = new byte[3 * 5];
        ushort[] book = new ushort[3 * 256];

        Assert.Equal("centroids", Assert.Throws<ArgumentOutOfRangeException>(() =>
            CodebookQuantizer.Quantize(w, 3, 5, 32, true, indices, book)).ParamName);
        Assert.Equal("w", Assert.Throws<ArgumentException>(() =>
            CodebookQuantizer.Quantize(w.AsSpan(0, 14), 3, 5, 16, true, indices, book)).ParamName);
        Assert.Equal("indices", Assert.Throws<ArgumentException>(() =>
            CodebookQuantizer.Quantize(w, 3, 5, 16, true, indices.AsSpan(0, 8), book)).ParamName);
        Assert.Equal("codebook", Assert.Throws<ArgumentException>(() =>
            CodebookQuantizer.Quantize(w, 3, 5, 256, true, indices, book.AsSpan(0, 767))).ParamName);
        Assert.Equal("codebook", Assert.Throws<ArgumentException>(() =>
            CodebookQuantizer.Dequantize(indices, book.AsSpan(0, 15), 3, 5, 16, false, new float[15])).ParamName);

        w[2 * 5 + 3] = float.NaN;
        var nan = Assert.Throws<ArgumentException>(() => CodebookQuantizer.Quantize(w, 3, 5, 16, true, indices, book, "hidden.weight"));
        Assert.Contains("'hidden.weight'", nan.Message);
        Assert.Contains("[2, 3]", nan.Message);
        Assert.Contains("NaN", nan.Message);
        w[2 * 5 + 3] = float.NegativeInfinity;
        Assert.Contains("-Inf", Assert.Throws<ArgumentException>(() => CodebookQuantizer.Quantize(w, 3, 5, 16, false, indices, book)).Message);

        w[2 * 5 + 3] = 1e6f; // no fp16 centroid can hold it
        Assert.Contains("fp16", Assert.Throws<ArgumentException>(() => CodebookQuantizer.Quantize(w, 3, 5, 16, true, indices, book)).Message);
    }
}
