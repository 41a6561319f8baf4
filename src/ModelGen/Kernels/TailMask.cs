using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ModelGen.Kernels;

/// <summary>
/// Masks for the last, partial vector of a row. Kernels reload the final full vector of the row (which lies inside the
/// span, so nothing is read past it) and keep only its last <c>r</c> lanes: the others were already summed.
/// </summary>
internal static class TailMask
{
    // A window of a vector's width into zeros-then-ones; starting it r elements in leaves exactly the last r lanes set.
    private static ReadOnlySpan<int> Lanes32 => [0, 0, 0, 0, 0, 0, 0, 0, -1, -1, -1, -1, -1, -1, -1, -1];

    private static ReadOnlySpan<byte> Lanes8 =>
    [
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    ];

    /// <summary>Last <paramref name="r"/> (1..3) of 4 float lanes set.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Float128(nuint r) =>
        Vector128.LoadUnsafe(ref MemoryMarshal.GetReference(Lanes32), 4 + r).AsSingle();

    /// <summary>Last <paramref name="r"/> (1..7) of 8 float lanes set.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Float256(nuint r) =>
        Vector256.LoadUnsafe(ref MemoryMarshal.GetReference(Lanes32), r).AsSingle();

    /// <summary>Last <paramref name="r"/> (1..15) of 16 byte lanes set.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<sbyte> Int8x128(nuint r) =>
        Vector128.LoadUnsafe(ref MemoryMarshal.GetReference(Lanes8), 16 + r).AsSByte();

    /// <summary>Last <paramref name="r"/> (1..31) of 32 byte lanes set.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<sbyte> Int8x256(nuint r) =>
        Vector256.LoadUnsafe(ref MemoryMarshal.GetReference(Lanes8), r).AsSByte();
}
