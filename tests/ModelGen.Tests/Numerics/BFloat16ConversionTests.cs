using ModelGen.IO;
using ModelGen.Numerics;
using ModelGen.Tests.IO;

namespace ModelGen.Tests.Numerics;

public class BFloat16ConversionTests
{
    [Fact]
    public void Rounds_to_nearest_even_like_an_exact_reference()
    {
        // Every bf16 pattern combined with low halves that hit truncation, ties, near-ties and random bits.
        var random = new Random(7);
        uint[] lowHalves = [0x0000, 0x0001, 0x7FFF, 0x8000, 0x8001, 0xFFFF, 0x4000, 0xC000];
        for (uint high = 0; high <= 0xFFFF; high++)
        {
            foreach (uint low in lowHalves)
            {
                Check((high << 16) | low);
            }

            Check((high << 16) | (uint)random.Next(0x10000));
        }

        static void Check(uint bits)
        {
            float value = BitConverter.UInt32BitsToSingle(bits);
            ushort actual = BFloat16Conversion.FromSingle(value);
            if (float.IsNaN(value))
            {
                Assert.True(float.IsNaN(BFloat16Conversion.ToSingle(actual)), $"0x{bits:X8} must stay NaN");
                Assert.Equal(bits >> 31, (uint)actual >> 15);
            }
            else if (ReferenceRound(value) != actual)
            {
                Assert.Fail($"0x{bits:X8}: expected 0x{ReferenceRound(value):X4}, got 0x{actual:X4}");
            }
        }
    }

    [Fact]
    public void Widening_is_exact()
    {
        for (int bits = 0; bits <= ushort.MaxValue; bits++)
        {
            Assert.Equal((uint)bits << 16, BitConverter.SingleToUInt32Bits(BFloat16Conversion.ToSingle((ushort)bits)));
        }
    }

    [Fact]
    public void Rounds_boundary_values()
    {
        Assert.Equal(0x3F80, BFloat16Conversion.FromSingle(1f));
        Assert.Equal(0x3F80, BFloat16Conversion.FromSingle(BitConverter.UInt32BitsToSingle(0x3F808000))); // tie, even below
        Assert.Equal(0x3F82, BFloat16Conversion.FromSingle(BitConverter.UInt32BitsToSingle(0x3F818000))); // tie, even above
        Assert.Equal(0x7F80, BFloat16Conversion.FromSingle(float.MaxValue));
        Assert.Equal(0xFF80, BFloat16Conversion.FromSingle(float.NegativeInfinity));
        Assert.Equal(0x0001, BFloat16Conversion.FromSingle(BitConverter.UInt32BitsToSingle(0x00010000)));
        // A NaN whose payload sits only in the dropped bits must not become Inf.
        Assert.True(float.IsNaN(BFloat16Conversion.ToSingle(BFloat16Conversion.FromSingle(BitConverter.UInt32BitsToSingle(0x7F800001)))));
        Assert.False(BFloat16Conversion.IsFinite(0x7F80));
        Assert.True(BFloat16Conversion.IsFinite(0x7F7F));
    }

    [Fact]
    public void Rounds_fp64_once()
    {
        // 1 + 2^-8 + 2^-30 is just above the tie between 1 and 1 + 2^-7; through fp32 it becomes the exact tie.
        double value = 1 + Math.Pow(2, -8) + Math.Pow(2, -30);
        Assert.Equal(0x3F80, BFloat16Conversion.FromSingle((float)value));
        Assert.Equal(0x3F81, BFloat16Conversion.FromDouble(value));

        var random = new Random(5);
        for (int i = 0; i < 200_000; i++)
        {
            double d = (random.NextDouble() * 2 - 1) * Math.Pow(2, random.Next(-100, 100));
            Assert.Equal(ReferenceRound(d), BFloat16Conversion.FromDouble(d));
        }

        Assert.Equal(0x7F80, BFloat16Conversion.FromDouble(1e300));
        Assert.Equal(0x0000, BFloat16Conversion.FromDouble(1e-300));
    }

    [Fact]
    public void Span_conversions_match_the_scalar_ones()
    {
        float[] values = [0f, -0f, 1.5f, -3e38f, 1e-40f, float.PositiveInfinity, float.NaN, 3.14159f];
        ushort[] bits = new ushort[values.Length];
        float[] back = new float[values.Length];
        ushort[] fromDoubles = new ushort[values.Length];

        BFloat16Conversion.FromSingle(values, bits);
        BFloat16Conversion.ToSingle(bits, back);
        BFloat16Conversion.FromDouble(values.Select(v => (double)v).ToArray(), fromDoubles);

        Assert.Equal(values.Select(BFloat16Conversion.FromSingle), bits);
        Assert.Equal(bits.Select(BFloat16Conversion.ToSingle), back);
        Assert.Equal(bits, fromDoubles);
        Assert.Throws<ArgumentException>(() => BFloat16Conversion.FromSingle(values, new ushort[9]));
    }

    [Fact]
    public void The_BF16_reference_file_is_the_rounded_F32_file()
    {
        using SafeTensorsFile f32 = SafeTensorsFile.Open(TestFiles.FashionMlp);
        using SafeTensorsFile bf16 = SafeTensorsFile.Open(TestFiles.FashionMlpBF16);

        foreach (TensorEntry tensor in f32.Tensors)
        {
            float[] values = f32.ReadFloat32(tensor.Name);
            ushort[] expected = new ushort[values.Length];
            BFloat16Conversion.FromSingle(values, expected);
            Assert.Equal(expected, HalfConversionTests.ReadBits(bf16, tensor.Name));
        }
    }

    /// <summary>
    /// Rounds a finite value to bf16 by comparing distances to its two bf16 neighbours in exact arithmetic (fp32 and
    /// bf16 values are exact in fp64, and so are the differences of close values). Ties go to the even pattern.
    /// </summary>
    private static ushort ReferenceRound(double value)
    {
        double magnitude = Math.Abs(value);
        ushort sign = (ushort)(double.IsNegative(value) ? 0x8000 : 0);
        float truncated = (float)magnitude;
        if ((double)truncated > magnitude)
        {
            truncated = MathF.BitDecrement(truncated);
        }

        uint below = BitConverter.SingleToUInt32Bits(truncated) >> 16;
        if (below >= 0x7F80)
        {
            return (ushort)(sign | 0x7F80);
        }

        double lower = BitConverter.UInt32BitsToSingle(below << 16);
        double upper = below + 1 == 0x7F80 ? Math.Pow(2, 128) : BitConverter.UInt32BitsToSingle((below + 1) << 16);
        double toLower = magnitude - lower;
        double toUpper = upper - magnitude;
        uint rounded = toLower < toUpper || (toLower == toUpper && (below & 1) == 0) ? below : below + 1;
        return (ushort)(sign | rounded);
    }
}
