using ModelGen.Kernels;

namespace ModelGen.Tests.Kernels;

/// <summary>
/// tests/run starts this suite once per instruction-set path (DOTNET_EnableAVX2=0, DOTNET_EnableHWIntrinsic=0, qemu
/// arm64 with and without Dp) and names the path it expects in MODELGEN_EXPECT_PATH: this proves each run really
/// exercised that path rather than silently falling back.
/// </summary>
public sealed class KernelPathSelectionTests
{
    [Fact]
    public void The_process_takes_the_path_the_test_run_expects()
    {
        string? expected = Environment.GetEnvironmentVariable("MODELGEN_EXPECT_PATH");
        Assert.SkipWhen(expected is null, "MODELGEN_EXPECT_PATH is not set (tests/run sets it)");
        Assert.Equal(Enum.Parse<KernelPath>(expected!), KernelPaths.Best);
    }
}
