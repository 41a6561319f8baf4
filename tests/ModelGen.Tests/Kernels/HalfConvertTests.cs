using System.Runtime.Intrinsics;
using ModelGen.Kernels;

namespace ModelGen.Tests.Kernels;

public class HalfConvertTests
{
    /// <summary>A half as a lane holds it: sign-extended, as a widening load of 16-bit integers leaves it.</summary>
    private static int Lane(int half) => (short)half;

    private static void AssertSame(ushort half, float actual)
    {
        float expected = (float)BitConverter.UInt16BitsToHalf(half);
        if (float.IsNaN(expected))
            Assert.True(float.IsNaN(actual), $"0x{half:X4}");
        else
            Assert.True(BitConverter.SingleToUInt32Bits(expected) == BitConverter.SingleToUInt32Bits(actual),
                $"0x{half:X4}: {actual} vs {expected}");
    }

    [Fact]
    public void Vector128ConversionIsExactForEveryHalf()
    {
        for (int h = 0; h <= ushort.MaxValue; h += 4)
        {
            Vector128<float> v = HalfConvert.ToSingle(Vector128.Create(Lane(h), Lane(h + 1), Lane(h + 2), Lane(h + 3)));
            for (int l = 0; l < 4; l++) AssertSame((ushort)(h + l), v.GetElement(l));
        }
    }

    [Fact]
    public void Vector256ConversionIsExactForEveryHalf()
    {
        for (int h = 0; h <= ushort.MaxValue; h += 8)
        {
            Vector256<float> v = HalfConvert.ToSingle(Vector256.Create(Lane(h), Lane(h + 1), Lane(h + 2), Lane(h + 3),
                Lane(h + 4), Lane(h + 5), Lane(h + 6), Lane(h + 7)));
            for (int l = 0; l < 8; l++) AssertSame((ushort)(h + l), v.GetElement(l));
        }
    }

    [Fact]
    public void NegativeNaNKeepsItsSignAndPayload() =>
        // Sign, all-ones exponent, mantissa 0x201 (quiet bit and payload 1) moved up by 13.
        Assert.Equal(0xFFC02000u, BitConverter.SingleToUInt32Bits(HalfConvert.ToSingle(Vector128.Create(Lane(0xFE01))).GetElement(0)));

    [Fact]
    public void NaNPayloadAndInfinitiesKeepTheirBits()
    {
        Assert.Equal(0x7F800000u, BitConverter.SingleToUInt32Bits(HalfConvert.ToSingle(Vector128.Create(Lane(0x7C00))).GetElement(0)));
        Assert.Equal(0xFF800000u, BitConverter.SingleToUInt32Bits(HalfConvert.ToSingle(Vector128.Create(Lane(0xFC00))).GetElement(0)));
        // Quiet NaN with payload 0x155: payload bits move up by 13.
        Assert.Equal(0x7FC00000u | (0x155u << 13),
            BitConverter.SingleToUInt32Bits(HalfConvert.ToSingle(Vector128.Create(Lane(0x7E00 | 0x155))).GetElement(0)));
    }
}
