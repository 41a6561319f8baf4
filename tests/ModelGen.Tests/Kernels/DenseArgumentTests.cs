using ModelGen.Kernels;

namespace ModelGen.Tests.Kernels;

public class DenseArgumentTests
{
    private const int Batch = 2, K = 5, N = 3;

    private static void Float32(int x = Batch * K, int w = N * K, int bias = N, int y = Batch * N,
        int batch = Batch, int k = K, int n = N, Activation activation = Activation.None) =>
        DenseKernels.Float32(new float[x], new float[w], new float[bias], new float[y], batch, k, n, activation);

    private static void Int8(int x = Batch * K, int w = N * K, int wScales = N, int bias = N, int y = Batch * N,
        int xq = Batch * K, int xScales = Batch, int k = K) =>
        DenseKernels.Int8(new float[x], new sbyte[w], new float[wScales], new float[bias], new float[y],
            Batch, k, N, Activation.None, new sbyte[xq], new float[xScales]);

    [Fact]
    public void ValidCallsSucceed()
    {
        Float32();
        Float32(bias: 0);
        Float32(x: 100, w: 100, y: 100, bias: 100); // longer spans are fine
        Float32(batch: 0, k: 0, n: 0);
        Int8();
        Int8(bias: 0);
    }

    [Fact]
    public void ShortSpansThrowWithTheirName()
    {
        Assert.Throws<ArgumentException>("x", () => Float32(x: Batch * K - 1));
        Assert.Throws<ArgumentException>("w", () => Float32(w: N * K - 1));
        Assert.Throws<ArgumentException>("bias", () => Float32(bias: N - 1));
        Assert.Throws<ArgumentException>("y", () => Float32(y: Batch * N - 1));
        Assert.Throws<ArgumentException>("wScales", () => Int8(wScales: N - 1));
        Assert.Throws<ArgumentException>("xq", () => Int8(xq: Batch * K - 1));
        Assert.Throws<ArgumentException>("xScales", () => Int8(xScales: Batch - 1));
        Assert.Throws<ArgumentException>("x", () => DenseKernels.Float16(new float[9], new ushort[15], [], new float[6], 2, 5, 3, Activation.None));
        Assert.Throws<ArgumentException>("w", () => DenseKernels.BFloat16(new float[10], new ushort[14], [], new float[6], 2, 5, 3, Activation.None));
    }

    [Fact]
    public void MessageNamesTheRequirement()
    {
        var e = Assert.Throws<ArgumentException>("x", () => Float32(x: 9));
        Assert.Contains("batch * k = 10", e.Message);
    }

    [Fact]
    public void BadShapesThrow()
    {
        Assert.Throws<ArgumentOutOfRangeException>("batch", () => Float32(batch: -1));
        Assert.Throws<ArgumentOutOfRangeException>("k", () => Float32(k: -1));
        Assert.Throws<ArgumentOutOfRangeException>("n", () => Float32(n: -1));
        Assert.Throws<ArgumentOutOfRangeException>("activation", () => Float32(activation: (Activation)42));
        // int8 sums of k products of up to 128 * 127 must fit int32.
        Assert.Throws<ArgumentOutOfRangeException>("k", () => Int8(k: DenseKernels.Int8MaxK + 1, x: 0));
    }

    [Fact]
    public void ProductsThatOverflowIntAreCaughtAsTooShort() =>
        Assert.Throws<ArgumentException>("x", () => Float32(batch: 1 << 20, k: 1 << 12, n: 1, w: 1 << 12, y: 1 << 20));

    [Fact]
    public void OverlappingXAndYThrows()
    {
        var buffer = new float[20];
        Assert.Throws<ArgumentException>("y", () =>
            DenseKernels.Float32(buffer.AsSpan(0, 10), new float[15], [], buffer.AsSpan(8, 6), Batch, K, N, Activation.None));
    }
}
