using ModelGen.Kernels;

namespace ModelGen.Tests.Kernels;

public class SoftmaxTests
{
    private static double[] Reference(ReadOnlySpan<float> row)
    {
        double max = double.NegativeInfinity;
        foreach (float v in row) max = Math.Max(max, v);
        var e = new double[row.Length];
        double sum = 0;
        for (int i = 0; i < row.Length; i++) sum += e[i] = Math.Exp(row[i] - max);
        for (int i = 0; i < row.Length; i++) e[i] /= sum;
        return e;
    }

    [Theory]
    [InlineData(1, 10, 1f)]
    [InlineData(7, 10, 5f)]
    [InlineData(3, 1000, 20f)]
    [InlineData(2, 1, 3f)]
    public void RowsSumToOneAndMatchDouble(int rows, int width, float scale)
    {
        float[] values = KernelTestData.Uniform(new Random(rows * 31 + width), rows * width, scale);
        float[] original = (float[])values.Clone();
        Softmax.Rows(values, rows, width);
        for (int r = 0; r < rows; r++)
        {
            double[] expected = Reference(original.AsSpan(r * width, width));
            double sum = 0;
            for (int i = 0; i < width; i++)
            {
                float v = values[r * width + i];
                sum += v;
                Assert.True(Math.Abs(v - expected[i]) <= 1e-6 * expected[i] + 1e-12, $"row {r}, {i}: {v} vs {expected[i]}");
            }
            Assert.Equal(1.0, sum, 1e-5);
        }
    }

    [Fact]
    public void LargeLogitsDoNotOverflow()
    {
        float[] values = [1000f, 1001f, 999f, -1000f, 88f, 89f, 1e30f, 0f];
        Softmax.Rows(values, 2, 4);
        double[] expected = Reference([1000f, 1001f, 999f, -1000f]);
        for (int i = 0; i < 4; i++) Assert.Equal(expected[i], values[i], 1e-6);
        Assert.Equal([0f, 0f, 1f, 0f], values[4..]);
    }

    [Fact]
    public void NaNRowBecomesNaNOthersUntouched()
    {
        float[] values = [1f, float.NaN, 2f, 0f, 0f, 0f];
        Softmax.Rows(values, 2, 3);
        Assert.All(values[..3], v => Assert.True(float.IsNaN(v)));
        Assert.All(values[3..], v => Assert.Equal(1f / 3, v, 1e-7f));
    }

    [Fact]
    public void OnlyTheGivenRowsChange()
    {
        float[] values = [0f, 0f, 5f, 5f];
        Softmax.Rows(values, 1, 2);
        Assert.Equal([0.5f, 0.5f, 5f, 5f], values);
    }

    [Fact]
    public void WrongSizesThrow()
    {
        Assert.Throws<ArgumentException>("values", () => Softmax.Rows(new float[5], 2, 3));
        Assert.Throws<ArgumentOutOfRangeException>("rows", () => Softmax.Rows(new float[5], -1, 3));
        Assert.Throws<ArgumentOutOfRangeException>("width", () => Softmax.Rows(new float[5], 1, -3));
    }
}
