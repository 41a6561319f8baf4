using ModelGen.Kernels;

namespace ModelGen.Tests.Kernels;

public class ElementwiseKernelTests
{
    public static TheoryData<KernelPath> Paths() => KernelTestData.Paths();

    /// <summary>Every path, activation and odd length, out of place and in place on either operand, bit-equal to scalar math.</summary>
    [Theory]
    [MemberData(nameof(Paths))]
    public void AddMatchesScalarMathExactly(KernelPath path)
    {
        foreach (int n in new[] { 0, 1, 3, 4, 5, 7, 8, 9, 17, 33, 100 })
            foreach (Activation activation in KernelTestData.Activations)
            {
                var random = new Random(n * 10 + (int)activation);
                float[] a = KernelTestData.Uniform(random, n, 8f), b = KernelTestData.Uniform(random, n, 8f);
                var expected = new float[n];
                for (int i = 0; i < n; i++)
                {
                    double reference = ReferenceMath.Activate((double)(a[i] + b[i]), activation);
                    expected[i] = activation is Activation.None or Activation.Relu or Activation.Relu6
                        ? (float)reference
                        : ModelGen.Kernels.ActivationFunctions.Apply(a[i] + b[i], activation);
                    Assert.True(Math.Abs(expected[i] - reference) <= 1e-6 * Math.Max(1, Math.Abs(reference)));
                }
                float[] y = new float[n + 1];
                y[^1] = 42f;
                ElementwiseKernels.Add(path, a, b, y, activation);
                Assert.Equal(expected, y.AsSpan(0, n).ToArray());
                Assert.Equal(42f, y[^1]);
                float[] first = (float[])a.Clone(), second = (float[])b.Clone();
                ElementwiseKernels.Add(path, first, b, first, activation);
                ElementwiseKernels.Add(path, a, second, second, activation);
                Assert.Equal(expected, first);
                Assert.Equal(expected, second);
            }
    }

    [Fact]
    public void BadArgumentsThrowClearly()
    {
        float[] a = new float[8], b = new float[8], y = new float[8];
        ElementwiseKernels.Add(a, b, y, Activation.Relu);
        Assert.Throws<ArgumentException>("b", () => ElementwiseKernels.Add(a, b.AsSpan(1), y, Activation.None));
        Assert.Throws<ArgumentException>("y", () => ElementwiseKernels.Add(a, b, y.AsSpan(1), Activation.None));
        Assert.Throws<ArgumentException>("y", () => ElementwiseKernels.Add(a.AsSpan(0, 7), b.AsSpan(0, 7), a.AsSpan(1), Activation.None));
        Assert.Throws<ArgumentOutOfRangeException>("activation", () => ElementwiseKernels.Add(a, b, y, (Activation)9));
    }
}
