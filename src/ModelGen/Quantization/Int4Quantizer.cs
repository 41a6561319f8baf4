using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using ModelGen.Numerics;

namespace ModelGen.Quantization;

/// <summary>
/// Block-wise int4 weight-only quantization of a row-major fp32 matrix [n, k], as llama.cpp's Q4_0 (symmetric) and
/// Q4_1 (asymmetric): every row is cut into blocks of <c>groupSize</c> (32, 64 or 128) consecutive values, each with
/// its own fp16 scale (and fp16 minimum when asymmetric).
/// </summary>
/// <remarks>
/// <para><b>Layout.</b> <c>packed</c> is [n, k / 2] bytes: block g of row j fills bytes
/// <c>j * k / 2 + g * groupSize / 2</c> onwards. Within a block every chunk of 32 values takes 16 bytes, and byte i
/// of chunk c holds value <c>32c + i</c> in its low nibble and value <c>32c + 16 + i</c> in its high nibble (Q4_0's
/// order: one mask and one shift unpack 16 bytes into 32 values in order, no shuffles). <c>scales</c> and <c>mins</c>
/// are [n, k / groupSize] fp16 bits.</para>
/// <para><b>Symmetric</b> (<c>mins</c> empty): <c>w ~= scale * (nibble - 8)</c>, q = nibble - 8 in [-8, 7]. Let m be
/// the block's value of largest magnitude (the first, on ties) and P the largest magnitude among the values of the
/// other sign; then <c>|scale| = max(|m| / 8, P / 7.5)</c>, rounded up to fp16, with the sign that maps m to
/// negative q. Then q = clamp(round-half-even(w / scale), -8, 7) has <c>|w - w'| &lt;= |scale| * (1/2 + 2^-50)</c>
/// for every element (w' = scale * q is exact in fp32; |w / scale| is at most 8 on m's side and 7.5 on the
/// other, and 2^-50 covers the double division). m gets q = -8 (llama.cpp's max / -8) unless P is within a factor
/// 1 + 2^-10 of |m| (then the fp16 rounding may leave it at -7); for every block where it does, dequantizing and
/// quantizing again reproduces the same nibbles and scale. An all-zero block has scale 0 and nibbles 8.</para>
/// <para><b>Asymmetric</b>: <c>w ~= min + scale * nibble</c>, nibble in [0, 15]. <c>min</c> is the block minimum
/// rounded down to fp16, <c>scale = (max - min) / 15</c> rounded up to fp16, nibble = clamp(round-half-even((w - min) /
/// scale), 0, 15), so <c>|w - w'| &lt;= scale * (1/2 + 2^-49) + ulp(w') / 2</c> (the last term is the fp32 addition
/// in w' = min + scale * nibble).</para>
/// <para>A block whose scale or minimum does not fit fp16 (|w| beyond ~491,000) throws, as do NaN and ±Infinity.
/// Quantization runs once at load, in double precision; it allocates nothing.</para>
/// </remarks>
public static class Int4Quantizer
{
    /// <summary>The unsigned nibble that stands for q = 0 in the symmetric format.</summary>
    public const int SymmetricOffset = 8;

    /// <summary>Whether <paramref name="groupSize"/> is one of the supported block sizes (32, 64, 128).</summary>
    public static bool IsSupportedGroupSize(int groupSize) => groupSize is 32 or 64 or 128;

    /// <summary>
    /// Quantizes <paramref name="w"/> [n, k] into <paramref name="packed"/> [n, k / 2], <paramref name="scales"/>
    /// [n, k / groupSize] and, when <paramref name="asymmetric"/>, <paramref name="mins"/> [n, k / groupSize] (pass an
    /// empty span when symmetric). See the type's remarks for the format and error bounds. NaN or ±Infinity in
    /// <paramref name="w"/> throws <see cref="ArgumentException"/> naming <paramref name="tensorName"/> and [row, col].
    /// </summary>
    public static void Quantize(ReadOnlySpan<float> w, int n, int k, int groupSize, bool asymmetric,
        Span<byte> packed, Span<ushort> scales, Span<ushort> mins, string tensorName = "weight")
    {
        int blocks = CheckShape(n, k, groupSize);
        CheckLength(w.Length, (long)n * k, nameof(w), "n * k");
        CheckLength(packed.Length, (long)n * k / 2, nameof(packed), "n * k / 2");
        CheckLength(scales.Length, (long)n * blocks, nameof(scales), "n * k / groupSize");
        if (asymmetric)
            CheckLength(mins.Length, (long)n * blocks, nameof(mins), "n * k / groupSize");
        else if (!mins.IsEmpty)
            throw new ArgumentException("mins must be empty for symmetric quantization: an empty span is how the kernels tell the formats apart.", nameof(mins));
        // Every value is checked before anything is written, so a bad tensor leaves the outputs untouched.
        for (int i = 0; i < n * k; i++)
            if (!float.IsFinite(w[i]))
                ThrowNonFinite(tensorName, i / k, i % k, w[i]);

        for (int j = 0; j < n; j++)
            for (int g = 0; g < blocks; g++)
            {
                ReadOnlySpan<float> block = w.Slice(j * k + g * groupSize, groupSize);
                Span<byte> bytes = packed.Slice((j * k + g * groupSize) / 2, groupSize / 2);
                int s = j * blocks + g;
                if (asymmetric)
                    QuantizeAsymmetric(block, bytes, out scales[s], out mins[s], tensorName, j, g);
                else
                    scales[s] = QuantizeSymmetric(block, bytes, tensorName, j, g);
            }
    }

    /// <summary>
    /// Reconstructs the values the int4 weights stand for: <c>scale * (nibble - 8)</c> when <paramref name="mins"/>
    /// is empty, else <c>min + scale * nibble</c>, in fp32 (the first is exact; the second rounds once).
    /// </summary>
    public static void Dequantize(ReadOnlySpan<byte> packed, ReadOnlySpan<ushort> scales, ReadOnlySpan<ushort> mins,
        int n, int k, int groupSize, Span<float> w)
    {
        int blocks = CheckShape(n, k, groupSize);
        CheckLength(packed.Length, (long)n * k / 2, nameof(packed), "n * k / 2");
        CheckLength(scales.Length, (long)n * blocks, nameof(scales), "n * k / groupSize");
        if (!mins.IsEmpty) CheckLength(mins.Length, (long)n * blocks, nameof(mins), "n * k / groupSize (or empty: symmetric)");
        CheckLength(w.Length, (long)n * k, nameof(w), "n * k");
        for (int j = 0; j < n; j++)
            for (int i = 0; i < k; i++)
            {
                int s = j * blocks + i / groupSize;
                int nibble = Nibble(packed, j * k + i);
                float scale = HalfConversion.ToSingle(scales[s]);
                w[j * k + i] = mins.IsEmpty
                    ? scale * (nibble - SymmetricOffset)
                    : HalfConversion.ToSingle(mins[s]) + scale * nibble;
            }
    }

    /// <summary>The nibble of the value at <paramref name="index"/> (row-major over [n, k]; k is a multiple of 32).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int Nibble(ReadOnlySpan<byte> packed, int index)
    {
        int chunk = index >> 5, within = index & 31;
        byte b = packed[chunk * 16 + (within & 15)];
        return within < 16 ? b & 0xF : b >> 4;
    }

    private static void SetNibble(Span<byte> bytes, int i, int nibble)
    {
        ref byte b = ref bytes[(i >> 5) * 16 + (i & 15)];
        b = (i & 31) < 16 ? (byte)((b & 0xF0) | nibble) : (byte)((b & 0x0F) | (nibble << 4));
    }

    private static ushort QuantizeSymmetric(ReadOnlySpan<float> block, Span<byte> bytes, string tensorName, int row, int g)
    {
        float m = 0;
        foreach (float v in block)
            if (Math.Abs(v) > Math.Abs(m)) m = v;
        double other = 0; // largest magnitude of the sign opposite to m
        foreach (float v in block)
            if (v * (double)m < 0) other = Math.Max(other, Math.Abs(v));
        double magnitude = Math.Max(Math.Abs(m) / 8.0, other / 7.5);
        ushort scaleBits = RoundMagnitudeUp(m > 0 ? -magnitude : magnitude, tensorName, row, g * block.Length, "scale");
        double scale = HalfConversion.ToSingle(scaleBits);
        for (int i = 0; i < block.Length; i++)
        {
            int q = scale == 0 ? 0 : (int)Math.Clamp(Math.Round(block[i] / scale, MidpointRounding.ToEven), -8, 7);
            SetNibble(bytes, i, q + SymmetricOffset);
        }
        return scaleBits;
    }

    private static void QuantizeAsymmetric(ReadOnlySpan<float> block, Span<byte> bytes, out ushort scaleBits,
        out ushort minBits, string tensorName, int row, int g)
    {
        float min = float.PositiveInfinity, max = float.NegativeInfinity;
        foreach (float v in block)
        {
            min = Math.Min(min, v);
            max = Math.Max(max, v);
        }
        // min rounds down (toward -Inf) so every w - min >= 0; scale rounds up so every (w - min) / scale <= 15.
        minBits = RoundMagnitudeUp(min, tensorName, row, g * block.Length, "minimum");
        // Rounding the magnitude up went the wrong way for a positive minimum: take the fp16 value below it.
        if (HalfConversion.ToSingle(minBits) > min) minBits--;
        double minValue = HalfConversion.ToSingle(minBits);
        scaleBits = RoundMagnitudeUp((max - minValue) / 15, tensorName, row, g * block.Length, "scale");
        double scale = HalfConversion.ToSingle(scaleBits);
        for (int i = 0; i < block.Length; i++)
        {
            int q = scale == 0 ? 0 : (int)Math.Clamp(Math.Round((block[i] - minValue) / scale, MidpointRounding.ToEven), 0, 15);
            SetNibble(bytes, i, q);
        }
    }

    /// <summary>fp16 bits of <paramref name="value"/>, rounded to nearest and then away from zero if that fell short.</summary>
    private static ushort RoundMagnitudeUp(double value, string tensorName, int row, int col, string what)
    {
        ushort bits = HalfConversion.FromDouble(value);
        if (Math.Abs((double)HalfConversion.ToSingle(bits)) < Math.Abs(value)) bits++; // the next magnitude up
        if (!HalfConversion.IsFinite(bits))
            throw new ArgumentException(
                $"Cannot quantize '{tensorName}' to int4: the block of row {row} starting at column {col} needs {what} {value:R}, beyond the fp16 range.");
        return bits;
    }

    private static int CheckShape(int n, int k, int groupSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        if (!IsSupportedGroupSize(groupSize))
            throw new ArgumentException($"groupSize is {groupSize}; int4 blocks hold 32, 64 or 128 values.", nameof(groupSize));
        if (k % groupSize != 0)
            throw new ArgumentException($"k = {k} is not a multiple of groupSize = {groupSize}: every int4 block must be whole.", nameof(k));
        return k / groupSize;
    }

    private static void CheckLength(int length, long required, string name, string what)
    {
        if (length < required)
            throw new ArgumentException($"{name} has {length} elements; {what} = {required} are required.", name);
    }

    [DoesNotReturn]
    private static void ThrowNonFinite(string tensorName, int row, int col, float value) =>
        throw new ArgumentException(
            $"Cannot quantize '{tensorName}' to int4: [{row}, {col}] holds {FloatFormat.Describe(value)}, not a finite number.");
}
