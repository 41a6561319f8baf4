using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace ModelGen.Kernels;

/// <summary>
/// IEEE half to fp32 in SIMD registers with integer bit operations (.NET exposes no F16C / FCVTL intrinsic). Each lane
/// holds a half sign-extended to 32 bits (what a widening load of 16-bit integers gives). Exact for every input,
/// subnormals, infinities and NaN payloads included. 7 operations after the load.
/// </summary>
internal static class HalfConvert
{
    // Shifted left by 13, the sign-extended half has its sign in bit 31 (copies in 28..30, masked off) and its
    // exponent and mantissa at their fp32 positions, read as an fp32 2^(127-15) too small: scaling by 2^112 rebiases
    // normals and, the product being exact, also turns half subnormals (read as fp32 subnormals) into the right
    // normal fp32. The multiply keeps the sign.
    private const int MantissaShift = 13;
    private const int SignExponentMantissa = unchecked((int)0x8FFFE000);
    private const int ExponentMantissa = 0x0FFFE000;
    private const int Rebias = 0x77800000; // 2^112
    // Half exponent 31 (Inf/NaN) lands at 2^16..2^17 after rebiasing; its fp32 exponent must be all ones instead.
    private const int MaxFiniteMagnitude = (0x7C00 << MantissaShift) - 1;
    private const int InfNanExponent = 0x7F800000;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> ToSingle(Vector128<int> half)
    {
        Vector128<int> bits = (half << MantissaShift) & Vector128.Create(SignExponentMantissa);
        Vector128<int> value = (bits.AsSingle() * Vector128.Create(Rebias).AsSingle()).AsInt32();
        Vector128<int> infNan = Vector128.GreaterThan(bits & Vector128.Create(ExponentMantissa), Vector128.Create(MaxFiniteMagnitude))
            & Vector128.Create(InfNanExponent);
        return (value | infNan).AsSingle();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> ToSingle(Vector256<int> half)
    {
        Vector256<int> bits = (half << MantissaShift) & Vector256.Create(SignExponentMantissa);
        Vector256<int> value = (bits.AsSingle() * Vector256.Create(Rebias).AsSingle()).AsInt32();
        Vector256<int> infNan = Vector256.GreaterThan(bits & Vector256.Create(ExponentMantissa), Vector256.Create(MaxFiniteMagnitude))
            & Vector256.Create(InfNanExponent);
        return (value | infNan).AsSingle();
    }
}
