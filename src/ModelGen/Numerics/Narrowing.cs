namespace ModelGen.Numerics;

/// <summary>Helpers shared by the fp16 and bf16 conversions.</summary>
internal static class Narrowing
{
    /// <summary>
    /// Narrows fp64 to fp32 rounding to odd: an inexact result gets its last mantissa bit set. Rounding that result
    /// again to any format with at least two fewer mantissa bits (fp16: 11, bf16: 8, fp32 has 24) then equals rounding
    /// the fp64 value once, which plain fp64 -> fp32 -> fp16 rounding does not guarantee.
    /// </summary>
    public static float ToSingleRoundToOdd(double value)
    {
        float nearest = (float)value;
        if (double.IsNaN(value) || (double)nearest == value)
        {
            return nearest;
        }

        if (float.IsInfinity(nearest))
        {
            // Beyond fp32's range: the odd neighbour below Inf is the largest finite fp32.
            return value > 0 ? float.MaxValue : float.MinValue;
        }

        uint bits = BitConverter.SingleToUInt32Bits(nearest);
        if ((bits & 1) == 0)
        {
            // The nearest value is even, so the other fp32 neighbour of value (one ulp away in magnitude) is odd.
            bool roundedAway = Math.Abs((double)nearest) > Math.Abs(value);
            bits = roundedAway ? bits - 1 : bits + 1;
        }

        return BitConverter.UInt32BitsToSingle(bits);
    }

    public static void CheckLengths(int sourceLength, int destinationLength)
    {
        if (sourceLength != destinationLength)
        {
            throw new ArgumentException(
                $"The destination holds {destinationLength} elements but the source holds {sourceLength}.", "destination");
        }
    }
}
