using ModelGen.Quantization;

namespace ModelGen.Tests.Quantization;

public class Int4QuantizerTests
{
    private static readonly int[] GroupSizes = [32, 64, 128];

    private static float Half(ushort bits) => (float)BitConverter.UInt16BitsToHalf(bits);

    /// <summary>Rows of very different magnitudes, some blocks with one outlier of either sign, some constant or zero.</summary>
    private static float[] RandomWeights(Random random, int n, int k)
    {
        var w = new float[n * k];
        for (int j = 0; j < n; j++)
        {
            float magnitude = MathF.Pow(10, random.Next(-3, 4));
            float offset = j % 4 == 1 ? magnitude : 0;
            for (int i = 0; i < k; i++)
                w[j * k + i] = offset + (float)(random.NextDouble() * 2 - 1) * magnitude;
            if (j % 3 == 0)
                w[j * k + random.Next(k)] = (random.Next(2) == 0 ? -20 : 20) * magnitude;
            if (j % 7 == 6)
                Array.Fill(w, j % 2 == 0 ? 0f : 0.3f, j * k, 32);
        }
        return w;
    }

    /// <summary>
    /// Symmetric: |w - w'| &lt;= |scale| * (1/2 + 2^-50), with |scale| the stored fp16 value, at most one fp16 ulp
    /// (relative 2^-10) above max(|m| / 8, P / 7.5); the block's largest magnitude gets q = -8.
    /// </summary>
    [Fact]
    public void SymmetricErrorIsAtMostHalfTheStoredScale()
    {
        var random = new Random(1);
        foreach (int gs in GroupSizes)
        {
            int n = 23, k = 5 * gs, blocks = 5;
            float[] w = RandomWeights(random, n, k), restored = new float[n * k];
            byte[] packed = new byte[n * k / 2];
            ushort[] scales = new ushort[n * blocks];
            Int4Quantizer.Quantize(w, n, k, gs, false, packed, scales, []);
            Int4Quantizer.Dequantize(packed, scales, [], n, k, gs, restored);
            for (int j = 0; j < n; j++)
                for (int g = 0; g < blocks; g++)
                {
                    double scale = Math.Abs((double)Half(scales[j * blocks + g]));
                    ReadOnlySpan<float> block = w.AsSpan(j * k + g * gs, gs);
                    int mIndex = 0;
                    for (int i = 1; i < gs; i++) if (Math.Abs(block[i]) > Math.Abs(block[mIndex])) mIndex = i;
                    float m = block[mIndex];
                    double other = 0;
                    foreach (float v in block) if ((double)v * m < 0) other = Math.Max(other, Math.Abs(v));
                    double ideal = Math.Max(Math.Abs(m) / 8.0, other / 7.5);
                    Assert.InRange(scale, ideal, ideal * (1 + Math.Pow(2, -10)));
                    if (m != 0 && Math.Abs(m) >= other * (1 + Math.Pow(2, -10)))
                        Assert.Equal(0, Int4Quantizer.Nibble(packed, j * k + g * gs + mIndex)); // q = -8
                    for (int i = 0; i < gs; i++)
                    {
                        int at = j * k + g * gs + i;
                        Assert.True(Math.Abs((double)w[at] - restored[at]) <= scale * (0.5 + Math.Pow(2, -50)),
                            $"gs={gs} [{j},{g * gs + i}]: {w[at]} -> {restored[at]}, scale {scale}");
                    }
                }
        }
    }

    /// <summary>Asymmetric: |w - w'| &lt;= scale * (1/2 + 2^-49) + ulp(w') / 2; min &lt;= the block minimum.</summary>
    [Fact]
    public void AsymmetricErrorIsAtMostHalfTheStoredScale()
    {
        var random = new Random(2);
        foreach (int gs in GroupSizes)
        {
            int n = 23, k = 3 * gs, blocks = 3;
            float[] w = RandomWeights(random, n, k), restored = new float[n * k];
            byte[] packed = new byte[n * k / 2];
            ushort[] scales = new ushort[n * blocks], mins = new ushort[n * blocks];
            Int4Quantizer.Quantize(w, n, k, gs, true, packed, scales, mins);
            Int4Quantizer.Dequantize(packed, scales, mins, n, k, gs, restored);
            for (int j = 0; j < n; j++)
                for (int g = 0; g < blocks; g++)
                {
                    double scale = Half(scales[j * blocks + g]), min = Half(mins[j * blocks + g]);
                    ReadOnlySpan<float> block = w.AsSpan(j * k + g * gs, gs);
                    Assert.True(min <= block.ToArray().Min());
                    Assert.True(scale >= 0);
                    for (int i = 0; i < gs; i++)
                    {
                        int at = j * k + g * gs + i;
                        double ulpHalf = Math.Abs((double)MathF.BitIncrement(Math.Abs(restored[at])) - Math.Abs(restored[at])) / 2;
                        Assert.True(Math.Abs((double)w[at] - restored[at]) <= scale * (0.5 + Math.Pow(2, -49)) + ulpHalf,
                            $"gs={gs} [{j},{g * gs + i}]: {w[at]} -> {restored[at]}, scale {scale}, min {min}");
                    }
                }
        }
    }

    /// <summary>
    /// Dequantized symmetric weights are representable: quantizing them again gives the same nibbles and scale, for
    /// every block whose largest magnitude got q = -8 (the documented condition; nearly all blocks here).
    /// </summary>
    [Fact]
    public void SymmetricRoundTripOfRepresentableValuesIsExact()
    {
        var random = new Random(3);
        foreach (int gs in GroupSizes)
        {
            int n = 11, k = 4 * gs;
            float[] w = RandomWeights(random, n, k), restored = new float[n * k], again = new float[n * k];
            byte[] packed = new byte[n * k / 2], packed2 = new byte[n * k / 2];
            ushort[] scales = new ushort[n * 4], scales2 = new ushort[n * 4];
            Int4Quantizer.Quantize(w, n, k, gs, false, packed, scales, []);
            Int4Quantizer.Dequantize(packed, scales, [], n, k, gs, restored);
            Int4Quantizer.Quantize(restored, n, k, gs, false, packed2, scales2, []);
            Int4Quantizer.Dequantize(packed2, scales2, [], n, k, gs, again);
            int checkedBlocks = 0;
            for (int s = 0; s < n * 4; s++)
            {
                int start = s * gs; // row-major blocks: block s starts at value s * gs
                if (!Enumerable.Range(start, gs).Any(i => Int4Quantizer.Nibble(packed, i) == 0))
                    continue; // m did not reach q = -8 (sides within 2^-10 of each other, or all zero): not covered
                checkedBlocks++;
                Assert.Equal(scales[s], scales2[s]);
                for (int i = start; i < start + gs; i++)
                {
                    Assert.Equal(Int4Quantizer.Nibble(packed, i), Int4Quantizer.Nibble(packed2, i));
                    Assert.Equal(restored[i], again[i]);
                }
            }
            Assert.True(checkedBlocks > n * 4 * 3 / 4, $"only {checkedBlocks} of {n * 4} blocks reached q = -8");
        }
    }

    /// <summary>
    /// Asymmetric blocks built as min + scale * nibble with nibbles 0 and 15 present and fp32-exact sums come back bit
    /// for bit (same min, scale and nibbles).
    /// </summary>
    [Fact]
    public void AsymmetricRoundTripOfRepresentableValuesIsExact()
    {
        var random = new Random(4);
        foreach (int gs in GroupSizes)
        {
            int n = 9, k = 2 * gs, blocks = 2;
            float[] w = new float[n * k], restored = new float[n * k];
            byte[] expectedNibbles = new byte[n * k];
            for (int j = 0; j < n; j++)
                for (int g = 0; g < blocks; g++)
                {
                    float min = -random.Next(0, 64) / 16f, scale = random.Next(1, 64) / 64f;
                    for (int i = 0; i < gs; i++)
                    {
                        int nibble = i == 0 ? 0 : i == 1 ? 15 : random.Next(16);
                        expectedNibbles[j * k + g * gs + i] = (byte)nibble;
                        w[j * k + g * gs + i] = min + scale * nibble;
                    }
                }
            byte[] packed = new byte[n * k / 2];
            ushort[] scales = new ushort[n * blocks], mins = new ushort[n * blocks];
            Int4Quantizer.Quantize(w, n, k, gs, true, packed, scales, mins);
            Int4Quantizer.Dequantize(packed, scales, mins, n, k, gs, restored);
            Assert.Equal(w, restored);
            for (int i = 0; i < n * k; i++)
                Assert.Equal(expectedNibbles[i], Int4Quantizer.Nibble(packed, i));
        }
    }

    /// <summary>The documented layout: byte i of a 32-value chunk holds value i (low nibble) and value 16 + i (high).</summary>
    [Fact]
    public void PacksChunksAsQ40()
    {
        // Scale 1 (m = -8 maps to q = -8), values -8 .. 7 then 7 .. -8, two chunks of 32 in a block of 64.
        float[] w = new float[64];
        for (int i = 0; i < 64; i++) w[i] = (i % 32) < 16 ? (i % 16) - 8 : 7 - (i % 16);
        byte[] packed = new byte[32];
        ushort[] scales = new ushort[1];
        Int4Quantizer.Quantize(w, 1, 64, 64, false, packed, scales, []);
        Assert.Equal(1f, Half(scales[0]));
        for (int c = 0; c < 2; c++)
            for (int i = 0; i < 16; i++)
                Assert.Equal((byte)(i | ((15 - i) << 4)), packed[16 * c + i]);
    }

    [Fact]
    public void BadArgumentsAreRejectedWithClearMessages()
    {
        float[] w = new float[2 * 64];
        byte[] packed = new byte[64];
        ushort[] scales = new ushort[4], mins = new ushort[4];
        foreach (int gs in new[] { 0, 16, 100, 256 })
            Assert.Contains("groupSize", Assert.Throws<ArgumentException>(() => Int4Quantizer.Quantize(w, 2, 64, gs, false, packed, scales, [])).Message);
        var notMultiple = Assert.Throws<ArgumentException>(() => Int4Quantizer.Quantize(w, 1, 96, 64, false, packed, scales, []));
        Assert.Contains("96", notMultiple.Message);
        Assert.Contains("64", notMultiple.Message);
        Assert.Equal("w", Assert.Throws<ArgumentException>(() => Int4Quantizer.Quantize(w.AsSpan(1), 2, 64, 32, false, packed, scales, [])).ParamName);
        Assert.Equal("packed", Assert.Throws<ArgumentException>(() => Int4Quantizer.Quantize(w, 2, 64, 32, false, packed.AsSpan(1), scales, [])).ParamName);
        Assert.Equal("scales", Assert.Throws<ArgumentException>(() => Int4Quantizer.Quantize(w, 2, 64, 32, false, packed, scales.AsSpan(1), [])).ParamName);
        Assert.Equal("mins", Assert.Throws<ArgumentException>(() => Int4Quantizer.Quantize(w, 2, 64, 32, true, packed, scales, mins.AsSpan(1))).ParamName);
        Assert.Equal("mins", Assert.Throws<ArgumentException>(() => Int4Quantizer.Quantize(w, 2, 64, 32, false, packed, scales, mins)).ParamName);
        Assert.Equal("w", Assert.Throws<ArgumentException>(() => Int4Quantizer.Dequantize(packed, scales, [], 2, 64, 32, w.AsSpan(1))).ParamName);
        Assert.Equal("packed", Assert.Throws<ArgumentException>(() => Int4Quantizer.Dequantize(packed.AsSpan(1), scales, [], 2, 64, 32, w)).ParamName);
        Assert.Contains("groupSize", Assert.Throws<ArgumentException>(() => Int4Quantizer.Dequantize(packed, scales, [], 2, 64, 48, w)).Message);
    }

    [Theory]
    [InlineData(float.NaN, "NaN")]
    [InlineData(float.PositiveInfinity, "+Inf")]
    [InlineData(float.NegativeInfinity, "-Inf")]
    public void NonFiniteWeightsNameTensorAndPosition(float bad, string shown)
    {
        float[] w = new float[3 * 64];
        w[2 * 64 + 37] = bad;
        byte[] packed = new byte[3 * 32];
        ushort[] scales = new ushort[3 * 2];
        var e = Assert.Throws<ArgumentException>(() => Int4Quantizer.Quantize(w, 3, 64, 32, false, packed, scales, [], "fc1.weight"));
        Assert.Contains("'fc1.weight'", e.Message);
        Assert.Contains("[2, 37]", e.Message);
        Assert.Contains(shown, e.Message);
        Assert.All(packed, b => Assert.Equal(0, b)); // nothing written
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ScalesBeyondFp16Throw(bool asymmetric)
    {
        float[] w = new float[32];
        w[5] = 1e6f;
        w[6] = -1e6f;
        var e = Assert.Throws<ArgumentException>(() =>
            Int4Quantizer.Quantize(w, 1, 32, 32, asymmetric, new byte[16], new ushort[1], asymmetric ? new ushort[1] : [], "big"));
        Assert.Contains("'big'", e.Message);
        Assert.Contains("fp16", e.Message);
    }

    [Fact]
    public void QuantizeAndDequantizeDoNotAllocate()
    {
        float[] w = RandomWeights(new Random(5), 4, 128), restored = new float[4 * 128];
        byte[] packed = new byte[4 * 64];
        ushort[] scales = new ushort[4 * 4], mins = new ushort[4 * 4];

        void Calls()
        {
            Int4Quantizer.Quantize(w, 4, 128, 32, false, packed, scales, []);
            Int4Quantizer.Dequantize(packed, scales, [], 4, 128, 32, restored);
            Int4Quantizer.Quantize(w, 4, 128, 32, true, packed, scales, mins);
            Int4Quantizer.Dequantize(packed, scales, mins, 4, 128, 32, restored);
        }

        Calls();
        AllocationAssert.SteadyStateAllocatesNothing(Calls, "int4 quantize and dequantize");
    }
}
