using System.Collections.ObjectModel;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using X86 = System.Runtime.Intrinsics.X86;

namespace ModelGen.Kernels;

/// <summary>Which <see cref="KernelPath"/>s this process can run, and the one the public kernels use.</summary>
public static class KernelPaths
{
    // Ascending preference; detected once, since hardware support cannot change within a process.
    private static readonly KernelPath[] s_supported = Detect();
    private static readonly ReadOnlyCollection<KernelPath> s_supportedView = Array.AsReadOnly(s_supported);

    /// <summary>The fastest supported path; every public kernel entry point dispatches to it.</summary>
    public static KernelPath Best { get; } = s_supported[^1];

    /// <summary>
    /// Every path this process can run, from slowest (always <see cref="KernelPath.Scalar"/>) to <see cref="Best"/>.
    /// When hardware intrinsics are disabled (<c>DOTNET_EnableHWIntrinsic=0</c>) this is just Scalar:
    /// a software-emulated <c>Vector128</c> is slower than plain loops.
    /// </summary>
    public static IReadOnlyList<KernelPath> Supported => s_supportedView;

    /// <summary>Whether this process can run <paramref name="path"/>.</summary>
    public static bool IsSupported(KernelPath path) => path switch
    {
        KernelPath.Scalar => true,
        KernelPath.Vector128 => Vector128.IsHardwareAccelerated,
        KernelPath.Avx2 => X86.Avx2.IsSupported && X86.Fma.IsSupported,
        KernelPath.AdvSimd => AdvSimd.Arm64.IsSupported,
        KernelPath.AdvSimdDp => AdvSimd.Arm64.IsSupported && Dp.IsSupported,
        _ => false,
    };

    private static KernelPath[] Detect()
    {
        KernelPath[] preference = [KernelPath.Scalar, KernelPath.Vector128, KernelPath.AdvSimd, KernelPath.AdvSimdDp, KernelPath.Avx2];
        return Array.FindAll(preference, IsSupported);
    }
}
