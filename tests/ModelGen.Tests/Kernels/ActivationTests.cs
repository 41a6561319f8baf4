using ModelGen.Kernels;

namespace ModelGen.Tests.Kernels;

public class ActivationTests
{
    [Theory]
    [InlineData(0.5, 0.5204998778130465)]
    [InlineData(1.0, 0.8427007929497149)]
    [InlineData(2.0, 0.9953222650189527)]
    [InlineData(3.0, 0.9999779095030014)]
    [InlineData(-1.0, -0.8427007929497149)]
    public void ReferenceErfMatchesTables(double x, double expected) =>
        Assert.Equal(expected, ReferenceMath.Erf(x), 1e-14);

    [Fact]
    public void ReferenceErfcTailMatchesTables()
    {
        // Tabulated values on the continued-fraction side of the reference (z >= 1.5), and erf just below it.
        Assert.Equal(1.541725790028002e-08, ReferenceMath.Erfc(4), 1e-20);
        Assert.Equal(2.151973671249892e-17, ReferenceMath.Erfc(6), 1e-29);
        Assert.Equal(0.03389485352468927, ReferenceMath.Erfc(1.5), 1e-17);
        Assert.Equal(0.9522851197626488, ReferenceMath.Erf(1.4), 1e-15);
    }

    [Fact]
    public void ErfIsAccurateTo1e10()
    {
        for (double x = -7; x <= 7; x += 0.001)
            Assert.True(Math.Abs(ActivationFunctions.Erf(x) - ReferenceMath.Erf(x)) <= 1e-10, $"erf({x})");
    }

    [Fact]
    public void ErfcKeepsRelativeAccuracyInTheTail()
    {
        for (double z = 0; z <= 10; z += 0.0025)
        {
            double expected = ReferenceMath.Erfc(z);
            Assert.True(Math.Abs(ActivationFunctions.Erfc(z) - expected) <= 2e-10 * expected, $"erfc({z})");
        }
        Assert.Equal(0, ActivationFunctions.Erfc(10.5));
        Assert.True(double.IsNaN(ActivationFunctions.Erfc(double.NaN)));
    }

    public static TheoryData<Activation> AllActivations() => new(KernelTestData.Activations);

    [Theory]
    [MemberData(nameof(AllActivations))]
    public void MatchesDoubleFormula(Activation activation)
    {
        for (float v = -20f; v <= 20f; v += 0.0137f)
        {
            double expected = ReferenceMath.Activate(v, activation);
            float actual = ActivationFunctions.Apply(v, activation);
            // A few ulp of the result; 1e-7 absolute absorbs MathF's ulp-level error where the value nears 1 in magnitude.
            double tolerance = 4 * Math.Abs(expected) * 1.2e-7 + 1e-37;
            if (activation is Activation.Sigmoid or Activation.Tanh) tolerance += 1e-7;
            Assert.True(Math.Abs(actual - expected) <= tolerance, $"{activation}({v}) = {actual}, expected {expected}");
        }
    }

    [Fact]
    public void PiecewiseLinearActivationsAreExact()
    {
        Assert.Equal(0f, ActivationFunctions.Apply(-3f, Activation.Relu));
        Assert.Equal(2.5f, ActivationFunctions.Apply(2.5f, Activation.Relu));
        Assert.Equal(0f, ActivationFunctions.Apply(-3f, Activation.Relu6));
        Assert.Equal(6f, ActivationFunctions.Apply(7f, Activation.Relu6));
        Assert.Equal(5.5f, ActivationFunctions.Apply(5.5f, Activation.Relu6));
        Assert.Equal(-1.25f, ActivationFunctions.Apply(-1.25f, Activation.None));
    }

    [Theory]
    [MemberData(nameof(AllActivations))]
    public void NaNPropagates(Activation activation) =>
        Assert.True(float.IsNaN(ActivationFunctions.Apply(float.NaN, activation)));

    [Fact]
    public void SaturatingActivationsHandleInfinities()
    {
        Assert.Equal(0f, ActivationFunctions.Apply(float.NegativeInfinity, Activation.Sigmoid));
        Assert.Equal(1f, ActivationFunctions.Apply(float.PositiveInfinity, Activation.Sigmoid));
        Assert.Equal(-1f, ActivationFunctions.Apply(float.NegativeInfinity, Activation.Tanh));
        Assert.Equal(0f, ActivationFunctions.Apply(-100f, Activation.Gelu));
        Assert.Equal(100f, ActivationFunctions.Apply(100f, Activation.Gelu));
    }
}
