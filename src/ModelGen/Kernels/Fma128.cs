using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;

namespace ModelGen.Kernels;

/// <summary>The multiply-add the 128-bit float kernels are specialized on: acc + a * b.</summary>
internal interface IFma128
{
    static abstract Vector128<float> MultiplyAdd(Vector128<float> acc, Vector128<float> a, Vector128<float> b);
}

/// <summary>Portable: fused where the hardware has FMA, else multiply then add.</summary>
internal readonly struct PortableFma128 : IFma128
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> MultiplyAdd(Vector128<float> acc, Vector128<float> a, Vector128<float> b) =>
        Vector128.MultiplyAddEstimate(a, b, acc);
}

/// <summary>arm64 FMLA.</summary>
internal readonly struct AdvSimdFma128 : IFma128
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> MultiplyAdd(Vector128<float> acc, Vector128<float> a, Vector128<float> b) =>
        AdvSimd.FusedMultiplyAdd(acc, a, b);
}
