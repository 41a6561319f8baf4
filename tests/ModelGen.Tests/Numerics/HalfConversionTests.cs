using ModelGen.IO;
using ModelGen.Numerics;
using ModelGen.Tests.IO;

namespace ModelGen.Tests.Numerics;

public class HalfConversionTests
{
    [Fact]
    public void Widens_every_half_bit_pattern_like_System_Half()
    {
        for (int bits = 0; bits <= ushort.MaxValue; bits++)
        {
            float expected = (float)BitConverter.UInt16BitsToHalf((ushort)bits);
            Assert.Equal(BitConverter.SingleToUInt32Bits(expected), BitConverter.SingleToUInt32Bits(HalfConversion.ToSingle((ushort)bits)));
        }
    }

    [Fact]
    public void Every_half_value_round_trips_and_its_midpoints_round_to_even()
    {
        for (int bits = 0; bits <= ushort.MaxValue; bits++)
        {
            float value = HalfConversion.ToSingle((ushort)bits);
            AssertLikeSystemHalf(value);
            if (!float.IsNaN(value))
            {
                Assert.Equal((ushort)bits, HalfConversion.FromSingle(value));
            }

            // Halfway to the next half magnitude (exact in fp32: 12 significant bits), and one fp32 ulp either side.
            if ((bits & 0x7FFF) < 0x7C00)
            {
                float next = HalfConversion.ToSingle((ushort)(bits + 1));
                float middle = (float)(((double)value + next) / 2);
                AssertLikeSystemHalf(middle);
                AssertLikeSystemHalf(MathF.BitIncrement(middle));
                AssertLikeSystemHalf(MathF.BitDecrement(middle));
            }
        }
    }

    [Fact]
    public void Rounds_boundary_values()
    {
        Assert.Equal(0x7BFF, HalfConversion.FromSingle(65504f));
        Assert.Equal(0x7BFF, HalfConversion.FromSingle(65519.996f));
        Assert.Equal(0x7C00, HalfConversion.FromSingle(65520f));
        Assert.Equal(0xFC00, HalfConversion.FromSingle(-1e30f));
        Assert.Equal(0x0001, HalfConversion.FromSingle(MathF.Pow(2, -24)));
        Assert.Equal(0x0000, HalfConversion.FromSingle(MathF.Pow(2, -25)));
        Assert.Equal(0x0001, HalfConversion.FromSingle(MathF.BitIncrement(MathF.Pow(2, -25))));
        Assert.Equal(0x8000, HalfConversion.FromSingle(-1e-30f));
        Assert.Equal(0x0400, HalfConversion.FromSingle(MathF.Pow(2, -14)));
        Assert.Equal(0x0400, HalfConversion.FromSingle(MathF.BitDecrement(MathF.Pow(2, -14))));
        Assert.Equal(0x7E00, HalfConversion.FromSingle(float.NaN) & 0x7E00);
        Assert.True(float.IsNaN(HalfConversion.ToSingle(HalfConversion.FromSingle(BitConverter.UInt32BitsToSingle(0x7F800001)))));
    }

    [Fact]
    public void Matches_System_Half_on_random_fp32_bit_patterns()
    {
        var random = new Random(1234);
        for (int i = 0; i < 1_000_000; i++)
        {
            AssertLikeSystemHalf(BitConverter.UInt32BitsToSingle((uint)random.NextInt64(0, 1L << 32)));
        }
    }

    [Fact]
    public void Rounds_fp64_once()
    {
        // 1 + 2^-11 + 2^-40 is just above the tie between 1 and 1 + 2^-10. Through fp32 it becomes the exact tie
        // 1 + 2^-11 and rounds to even (1.0); rounded once it goes up.
        double value = 1 + Math.Pow(2, -11) + Math.Pow(2, -40);
        Assert.Equal(0x3C00, HalfConversion.FromSingle((float)value));
        Assert.Equal(0x3C01, HalfConversion.FromDouble(value));

        var random = new Random(99);
        for (int i = 0; i < 200_000; i++)
        {
            double d = (random.NextDouble() * 2 - 1) * Math.Pow(2, random.Next(-30, 18));
            Assert.Equal(BitConverter.HalfToUInt16Bits((Half)d), HalfConversion.FromDouble(d));
        }

        Assert.Equal(0x7C00, HalfConversion.FromDouble(1e300));
        Assert.Equal(0x8000, HalfConversion.FromDouble(-1e-300));
        Assert.True(float.IsNaN(HalfConversion.ToSingle(HalfConversion.FromDouble(double.NaN))));
    }

    [Fact]
    public void Span_conversions_match_the_scalar_ones()
    {
        float[] values = [0f, -0f, 1.5f, -65504f, 1e-6f, float.PositiveInfinity, float.NaN, 3.14159f];
        ushort[] bits = new ushort[values.Length];
        float[] back = new float[values.Length];
        ushort[] fromDoubles = new ushort[values.Length];

        HalfConversion.FromSingle(values, bits);
        HalfConversion.ToSingle(bits, back);
        HalfConversion.FromDouble(values.Select(v => (double)v).ToArray(), fromDoubles);

        Assert.Equal(values.Select(HalfConversion.FromSingle), bits);
        Assert.Equal(bits.Select(HalfConversion.ToSingle), back);
        Assert.Equal(bits, fromDoubles);
        Assert.Throws<ArgumentException>(() => HalfConversion.FromSingle(values, new ushort[1]));
        Assert.Throws<ArgumentException>(() => HalfConversion.ToSingle(bits, new float[1]));
    }

    [Fact]
    public void The_F16_reference_file_is_the_rounded_F32_file()
    {
        using SafeTensorsFile f32 = SafeTensorsFile.Open(TestFiles.FashionMlp);
        using SafeTensorsFile f16 = SafeTensorsFile.Open(TestFiles.FashionMlpF16);

        foreach (TensorEntry tensor in f32.Tensors)
        {
            float[] values = f32.ReadFloat32(tensor.Name);
            ushort[] expected = new ushort[values.Length];
            HalfConversion.FromSingle(values, expected);
            Assert.Equal(expected, ReadBits(f16, tensor.Name));
        }
    }

    internal static ushort[] ReadBits(SafeTensorsFile file, string name)
    {
        TensorEntry tensor = file.GetTensor(name);
        Assert.Equal(2, SafeTensorsDTypes.SizeOf(tensor.DType));
        ushort[] bits = new ushort[tensor.ElementCount];
        file.ReadBytes(tensor, 0, System.Runtime.InteropServices.MemoryMarshal.AsBytes(bits.AsSpan()));
        return bits;
    }

    private static void AssertLikeSystemHalf(float value)
    {
        ushort expected = BitConverter.HalfToUInt16Bits((Half)value);
        ushort actual = HalfConversion.FromSingle(value);
        if (expected != actual)
        {
            Assert.Fail($"{value:R} (0x{BitConverter.SingleToUInt32Bits(value):X8}): expected 0x{expected:X4}, got 0x{actual:X4}");
        }
    }
}
