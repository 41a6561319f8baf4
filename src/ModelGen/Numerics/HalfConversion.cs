using System.Runtime.CompilerServices;

namespace ModelGen.Numerics;

/// <summary>
/// Conversions between fp32/fp64 and IEEE 754 binary16 (fp16) held as raw <see cref="ushort"/> bits, rounding to
/// nearest, ties to even. Subnormals, infinities and signed zeros are exact; NaN stays NaN (quieted, sign and the
/// high payload bits kept), bit for bit as <see cref="Half"/> casts do.
/// </summary>
public static class HalfConversion
{
    /// <summary>The fp32 value 0.5, whose addition puts a small magnitude's fp16 subnormal bits in the low bits.</summary>
    private const uint SubnormalMagicBits = 126u << 23;

    /// <summary>Rounds one fp32 value to fp16 bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort FromSingle(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        uint sign = (bits >> 16) & 0x8000u;
        uint magnitude = bits & 0x7FFF_FFFFu;

        if (magnitude >= 0x7F80_0000u)
        {
            // Inf stays Inf; NaN becomes a quiet NaN with the payload's top 10 bits.
            return (ushort)(sign | (magnitude == 0x7F80_0000u ? 0x7C00u : 0x7E00u | ((magnitude >> 13) & 0x3FFu)));
        }

        if (magnitude >= 0x477F_F000u)
        {
            // 65520 and above is at least halfway to 2^16: rounds to Inf.
            return (ushort)(sign | 0x7C00u);
        }

        if (magnitude >= 0x3880_0000u)
        {
            // fp16 normal range: rebias the exponent (127 -> 15) and round the 13 dropped mantissa bits to even.
            uint rebased = magnitude - (112u << 23);
            uint odd = (rebased >> 13) & 1u;
            return (ushort)(sign | ((rebased + 0x0FFFu + odd) >> 13));
        }

        // Below 2^-14 the fp16 grid is fixed-point with step 2^-24: adding 0.5f lets the FPU round to that step (RNE).
        float shifted = BitConverter.UInt32BitsToSingle(magnitude) + BitConverter.UInt32BitsToSingle(SubnormalMagicBits);
        return (ushort)(sign | (BitConverter.SingleToUInt32Bits(shifted) - SubnormalMagicBits));
    }

    /// <summary>Widens fp16 bits to fp32 (exact).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float ToSingle(ushort bits)
    {
        uint sign = (uint)(bits & 0x8000) << 16;
        uint exponent = (uint)(bits >> 10) & 0x1Fu;
        uint mantissa = bits & 0x3FFu;

        if (exponent == 0x1F)
        {
            // Inf, or NaN quieted with its payload kept.
            return BitConverter.UInt32BitsToSingle(sign | 0x7F80_0000u | (mantissa << 13) | (mantissa != 0 ? 0x0040_0000u : 0));
        }

        if (exponent == 0)
        {
            // Zero or subnormal: mantissa * 2^-24 is exact in fp32.
            float value = mantissa * (1f / 16777216f);
            return BitConverter.UInt32BitsToSingle(sign | BitConverter.SingleToUInt32Bits(value));
        }

        return BitConverter.UInt32BitsToSingle(sign | ((exponent + 112) << 23) | (mantissa << 13));
    }

    /// <summary>Rounds one fp64 value to fp16 bits with a single rounding (no fp32 double rounding).</summary>
    public static ushort FromDouble(double value) => FromSingle(Narrowing.ToSingleRoundToOdd(value));

    /// <summary>Rounds every fp32 value of <paramref name="source"/> to fp16 bits in <paramref name="destination"/> (same length).</summary>
    public static void FromSingle(ReadOnlySpan<float> source, Span<ushort> destination)
    {
        Narrowing.CheckLengths(source.Length, destination.Length);
        for (int i = 0; i < source.Length; i++)
        {
            destination[i] = FromSingle(source[i]);
        }
    }

    /// <summary>Widens every fp16 value of <paramref name="source"/> to fp32 in <paramref name="destination"/> (same length).</summary>
    public static void ToSingle(ReadOnlySpan<ushort> source, Span<float> destination)
    {
        Narrowing.CheckLengths(source.Length, destination.Length);
        for (int i = 0; i < source.Length; i++)
        {
            destination[i] = ToSingle(source[i]);
        }
    }

    /// <summary>Rounds every fp64 value of <paramref name="source"/> to fp16 bits in <paramref name="destination"/> (same length).</summary>
    public static void FromDouble(ReadOnlySpan<double> source, Span<ushort> destination)
    {
        Narrowing.CheckLengths(source.Length, destination.Length);
        for (int i = 0; i < source.Length; i++)
        {
            destination[i] = FromDouble(source[i]);
        }
    }

    /// <summary>Whether fp16 bits encode a finite value (not Inf or NaN).</summary>
    public static bool IsFinite(ushort bits) => (bits & 0x7C00) != 0x7C00;
}
