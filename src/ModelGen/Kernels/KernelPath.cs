namespace ModelGen.Kernels;

/// <summary>An instruction-set path a kernel can take. Every SIMD path has the scalar path as its reference.</summary>
public enum KernelPath
{
    /// <summary>Plain C# loops: the reference every other path is tested against.</summary>
    Scalar = 0,
    /// <summary>Portable 128-bit <c>Vector128</c> code (SSE on x64, NEON on arm64).</summary>
    Vector128 = 1,
    /// <summary>x64 AVX2 + FMA, 256-bit.</summary>
    Avx2 = 2,
    /// <summary>arm64 AdvSimd (NEON) without the dot-product extension.</summary>
    AdvSimd = 3,
    /// <summary>arm64 AdvSimd with SDOT (<c>Dp</c>).</summary>
    AdvSimdDp = 4,
}
