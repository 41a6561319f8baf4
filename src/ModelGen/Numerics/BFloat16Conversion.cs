using System.Runtime.CompilerServices;

namespace ModelGen.Numerics;

/// <summary>
/// Conversions between fp32/fp64 and bfloat16 (the upper 16 bits of an fp32) held as raw <see cref="ushort"/> bits,
/// rounding to nearest, ties to even, as PyTorch's <c>.bfloat16()</c> does. Subnormals and infinities round like any
/// other value (finite values beyond the bf16 range become Inf); NaN stays NaN (quieted, sign kept).
/// </summary>
public static class BFloat16Conversion
{
    /// <summary>Rounds one fp32 value to bf16 bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort FromSingle(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        if ((bits & 0x7FFF_FFFFu) > 0x7F80_0000u)
        {
            // Truncating a NaN could leave only zero mantissa bits (Inf): force the quiet bit instead.
            return (ushort)((bits >> 16) | 0x0040u);
        }

        // Ties to even: add just under half an ulp, plus one when the kept part is odd. A carry into the exponent
        // is the correct rounding, up to Inf for values beyond the largest bf16.
        uint odd = (bits >> 16) & 1u;
        return (ushort)((bits + 0x7FFFu + odd) >> 16);
    }

    /// <summary>Widens bf16 bits to fp32 (exact).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float ToSingle(ushort bits) => BitConverter.UInt32BitsToSingle((uint)bits << 16);

    /// <summary>Rounds one fp64 value to bf16 bits with a single rounding (no fp32 double rounding).</summary>
    public static ushort FromDouble(double value) => FromSingle(Narrowing.ToSingleRoundToOdd(value));

    /// <summary>Rounds every fp32 value of <paramref name="source"/> to bf16 bits in <paramref name="destination"/> (same length).</summary>
    public static void FromSingle(ReadOnlySpan<float> source, Span<ushort> destination)
    {
        Narrowing.CheckLengths(source.Length, destination.Length);
        for (int i = 0; i < source.Length; i++)
        {
            destination[i] = FromSingle(source[i]);
        }
    }

    /// <summary>Widens every bf16 value of <paramref name="source"/> to fp32 in <paramref name="destination"/> (same length).</summary>
    public static void ToSingle(ReadOnlySpan<ushort> source, Span<float> destination)
    {
        Narrowing.CheckLengths(source.Length, destination.Length);
        for (int i = 0; i < source.Length; i++)
        {
            destination[i] = ToSingle(source[i]);
        }
    }

    /// <summary>Rounds every fp64 value of <paramref name="source"/> to bf16 bits in <paramref name="destination"/> (same length).</summary>
    public static void FromDouble(ReadOnlySpan<double> source, Span<ushort> destination)
    {
        Narrowing.CheckLengths(source.Length, destination.Length);
        for (int i = 0; i < source.Length; i++)
        {
            destination[i] = FromDouble(source[i]);
        }
    }

    /// <summary>Whether bf16 bits encode a finite value (not Inf or NaN).</summary>
    public static bool IsFinite(ushort bits) => (bits & 0x7F80) != 0x7F80;
}
