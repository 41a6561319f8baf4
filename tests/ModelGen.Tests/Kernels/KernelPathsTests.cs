using ModelGen.Kernels;

namespace ModelGen.Tests.Kernels;

public class KernelPathsTests
{
    [Fact]
    public void SupportedStartsWithScalarAndEndsWithBest()
    {
        Assert.Equal(KernelPath.Scalar, KernelPaths.Supported[0]);
        Assert.Equal(KernelPaths.Best, KernelPaths.Supported[^1]);
        Assert.Equal(KernelPaths.Supported.Count, KernelPaths.Supported.Distinct().Count());
    }

    [Fact]
    public void IsSupportedAgreesWithSupported()
    {
        foreach (KernelPath path in Enum.GetValues<KernelPath>())
            Assert.Equal(KernelPaths.Supported.Contains(path), KernelPaths.IsSupported(path));
        Assert.False(KernelPaths.IsSupported((KernelPath)99));
    }

    [Fact]
    public void SupportedCannotBeModified() =>
        Assert.Throws<NotSupportedException>(() => ((IList<KernelPath>)KernelPaths.Supported)[0] = KernelPath.Avx2);

    /// <summary>tests/run names the path each run must take (e.g. DOTNET_EnableAVX2=0 must give Vector128).</summary>
    // tests/run starts this suite once per instruction-set path (DOTNET_EnableAVX2=0, DOTNET_EnableHWIntrinsic=0, qemu
    // arm64 with and without Dp) and names the path it expects: this proves each run really exercised that path.
    [Fact]
    public void BestIsTheExpectedPathOfThisRun()
    {
        string? expected = Environment.GetEnvironmentVariable("MODELGEN_EXPECT_PATH");
        Assert.SkipWhen(string.IsNullOrEmpty(expected), "MODELGEN_EXPECT_PATH is not set");
        Assert.Equal(Enum.Parse<KernelPath>(expected!), KernelPaths.Best);
    }

    [Fact]
    public void UnsupportedPathThrows()
    {
        KernelPath[] unsupported = Enum.GetValues<KernelPath>().Where(p => !KernelPaths.IsSupported(p)).ToArray();
        Assert.NotEmpty(unsupported); // x64 lacks the arm64 paths and arm64 the x64 one
        foreach (KernelPath path in unsupported)
        {
            Assert.Throws<NotSupportedException>(() =>
                DenseKernels.Float32(path, new float[4], new float[4], [], new float[1], 1, 4, 1, Activation.None));
            Assert.Throws<NotSupportedException>(() => DenseKernels.Int8(path, new float[4], new sbyte[4], new float[1], [],
                new float[1], 1, 4, 1, Activation.None, new sbyte[4], new float[1]));
        }
    }
}
