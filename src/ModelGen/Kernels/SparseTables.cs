using System.Numerics;

namespace ModelGen.Kernels;

/// <summary>
/// Shuffle controls the sparse kernels look up per mask byte or nibble (built once, about 8 KiB in all). An index
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
    /// [byte of a sliced fp32 2:4 uint32 (two rows' nibbles)]: the byte shuffle taking, for each of the two rows, the x
    /// float at its group's first position (<see cref="Slice24First"/>) or second (<see cref="Slice24Second"/>) out of
    /// the group's 4 x floats: bytes 4p .. 4p + 3, the low row in bytes 0-3, the high row in 4-7.
    /// </summary>
    public static readonly ulong[] Slice24First = BuildSlice24(second: false);

    /// <inheritdoc cref="Slice24First"/>
    public static readonly ulong[] Slice24Second = BuildSlice24(second: true);

    private static ulong[] BuildSlice24(bool second)
    {
        var t = new ulong[256];
        for (int m = 0; m < 256; m++)
        {
            ulong v = 0;
            for (int row = 0; row < 2; row++)
            {
                int nibble = m >> (4 * row) & 15;
                int p = second ? nibble >> 2 & 3 : nibble & 3;
                for (int b = 0; b < 4; b++)
                    v |= (ulong)(4 * p + b) << (8 * (4 * row + b));
            }
            t[m] = v;
        }
        return t;
    }

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
}
