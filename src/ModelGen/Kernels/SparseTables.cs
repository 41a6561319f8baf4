using System.Numerics;

namespace ModelGen.Kernels;

/// <summary>
/// Shuffle controls the sparse kernels look up per mask byte or nibble (built once, about 12 KiB in all). An index
/// byte with the high bit set (0x80) makes a byte shuffle (PSHUFB / TBL / <c>ShuffleNative</c>) write 0.
/// </summary>
internal static class SparseTables
{
    internal const byte Zero = 0x80;

    /// <summary>
    /// [mask byte]: 8 shuffle bytes (little-endian) spreading packed sbytes to the mask's set lanes (the rank), Zero
    /// elsewhere. Adding <c>r * 0x0101010101010101</c> (r &lt;= 8) shifts the source by r bytes and keeps Zero lanes zero.
    /// </summary>
    public static readonly ulong[] ExpandInt8 = BuildExpandInt8();

    /// <summary>
    /// [meta byte * 8 + lane]: for two 2:4 groups (8 columns), the columns of their 4 values ([a0, b0, 4 + a1, 4 + b1]),
    /// repeated in lanes 4-7. Gathers x for the values with VPERMPS.
    /// </summary>
    public static readonly int[] Compress24Float = BuildCompress24Float();

    /// <summary>
    /// [nibble * 16 + byte]: byte shuffle taking a 2:4 group's two x floats from a 4-float vector into lanes 0-1
    /// (<see cref="Compress24FloatHigh"/>: lanes 2-3), Zero elsewhere, so the two halves combine with OR.
    /// </summary>
    public static readonly byte[] Compress24FloatLow = BuildCompress24Float128(high: false);

    /// <inheritdoc cref="Compress24FloatLow"/>
    public static readonly byte[] Compress24FloatHigh = BuildCompress24Float128(high: true);

    /// <summary>
    /// [meta byte]: 4 shuffle bytes (little-endian) taking two 2:4 groups' x bytes out of 8 columns: a0, b0, 4 + a1, 4 + b1.
    /// </summary>
    public static readonly uint[] Compress24Int8 = BuildCompress24Int8();

    private static ulong[] BuildExpandInt8()
    {
        var t = new ulong[256];
        for (int m = 0; m < 256; m++)
        {
            ulong v = 0;
            for (int c = 0; c < 8; c++)
            {
                ulong b = (m >> c & 1) != 0 ? (ulong)BitOperations.PopCount((uint)(m & ((1 << c) - 1))) : Zero;
                v |= b << (8 * c);
            }
            t[m] = v;
        }
        return t;
    }

    private static int[] BuildCompress24Float()
    {
        var t = new int[256 * 8];
        for (int m = 0; m < 256; m++)
        {
            int[] lanes = [m & 3, (m >> 2) & 3, 4 + ((m >> 4) & 3), 4 + ((m >> 6) & 3)];
            for (int c = 0; c < 8; c++)
                t[m * 8 + c] = lanes[c & 3];
        }
        return t;
    }

    private static byte[] BuildCompress24Float128(bool high)
    {
        var t = new byte[16 * 16];
        Array.Fill(t, Zero);
        for (int m = 0; m < 16; m++)
        {
            int lane0 = high ? 2 : 0;
            int[] columns = [m & 3, (m >> 2) & 3];
            for (int v = 0; v < 2; v++)
                for (int b = 0; b < 4; b++)
                    t[m * 16 + 4 * (lane0 + v) + b] = (byte)(4 * columns[v] + b);
        }
        return t;
    }

    private static uint[] BuildCompress24Int8()
    {
        var t = new uint[256];
        for (int m = 0; m < 256; m++)
            t[m] = (uint)(m & 3) | (uint)((m >> 2) & 3) << 8 | (uint)(4 + ((m >> 4) & 3)) << 16 | (uint)(4 + ((m >> 6) & 3)) << 24;
        return t;
    }
}
