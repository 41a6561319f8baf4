using ModelGen.Quantization;

namespace ModelGen.Tests.Quantization;

public class Int8QuantizerTests
{
    [Fact]
    public void Quantizes_known_rows_with_ties_to_even()
    {
        float[] w =
        [
            127f, 0.5f, 1.5f, -2.5f, -127f, 3.49f,   // max 127: scale 1, so w / scale is exact
            254f, 1f, 3f, -5f, 0f, -0f,              // max 254: scale 2
            0f, 0f, 0f, 0f, 0f, 0f,                  // all zero: scale 0
            -1f, 0.25f, 0f, 0f, 0f, 0f,              // max |min|: -1 -> -127
        ];
        sbyte[] q = new sbyte[w.Length];
        float[] scales = new float[4];

        Int8Quantizer.QuantizeRows(w, 4, 6, q, scales);

        Assert.Equal([1f, 2f, 0f, 1f / 127], scales);
        Assert.Equal(
            [127, 0, 2, -2, -127, 3, 127, 0, 2, -2, 0, 0, 0, 0, 0, 0, 0, 0, -127, 32, 0, 0, 0, 0],
            q.Select(v => (int)v));
    }

    [Fact]
    public void Dequantization_error_is_at_most_half_a_scale()
    {
        var random = new Random(42);
        const int rows = 64;
        const int cols = 300;
        float[] w = new float[rows * cols];
        for (int r = 0; r < rows; r++)
        {
            // Rows of very different magnitudes, some with a single outlier.
            float magnitude = MathF.Pow(10, random.Next(-6, 4));
            for (int c = 0; c < cols; c++)
            {
                w[r * cols + c] = (float)(random.NextDouble() * 2 - 1) * magnitude;
            }

            if (r % 5 == 0)
            {
                w[r * cols + random.Next(cols)] = 40 * magnitude;
            }
        }

        sbyte[] q = new sbyte[w.Length];
        float[] scales = new float[rows];
        float[] restored = new float[w.Length];
        Int8Quantizer.QuantizeRows(w, rows, cols, q, scales);
        Int8Quantizer.DequantizeRows(q, scales, rows, cols, restored);

        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> row = w.AsSpan(r * cols, cols);
            float maxAbs = 0;
            foreach (float value in row)
            {
                maxAbs = Math.Max(maxAbs, Math.Abs(value));
            }

            Assert.Equal(maxAbs / 127, scales[r]);
            Assert.Equal(127, q.AsSpan(r * cols, cols).ToArray().Max(v => Math.Abs((int)v)));
            for (int c = 0; c < cols; c++)
            {
                double error = Math.Abs(w[r * cols + c] - (double)q[r * cols + c] * scales[r]);
                Assert.True(error <= scales[r] / 2 * (1 + 1e-5), $"row {r}, col {c}: error {error} > {scales[r] / 2}");
                Assert.Equal(q[r * cols + c] * scales[r], restored[r * cols + c]);
            }
        }

        Assert.DoesNotContain(sbyte.MinValue, q);
    }

    [Theory]
    [InlineData(float.NaN, "NaN")]
    [InlineData(float.PositiveInfinity, "+Inf")]
    public void Rejects_values_that_are_not_finite(float bad, string shown)
    {
        float[] w = [1, 2, 3, 4, bad, 6];
        var error = Assert.Throws<ModelFormatException>(() =>
            Int8Quantizer.QuantizeRows(w, 2, 3, new sbyte[6], new float[2]));

        Assert.Contains("row 1, column 1", error.Message);
        Assert.Contains(shown, error.Message);
    }

    [Fact]
    public void Rejects_mismatched_buffers()
    {
        Assert.Throws<ArgumentException>(() => Int8Quantizer.QuantizeRows(new float[6], 2, 3, new sbyte[5], new float[2]));
        Assert.Throws<ArgumentException>(() => Int8Quantizer.QuantizeRows(new float[6], 2, 3, new sbyte[6], new float[3]));
        Assert.Throws<ArgumentException>(() => Int8Quantizer.DequantizeRows(new sbyte[6], new float[2], 2, 3, new float[7]));
    }
}
