using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;

namespace ModelGen.Kernels;

/// <summary>
/// 128-bit codebook kernels, generic over the multiply-add. Portable <c>Vector128</c> has no table lookup or gather,
/// so each lane's weight is loaded from the widened table on its own; the arm64 paths look 16 entries up with TBL
/// (<see cref="DenseCodebookAdvSimd"/>).
/// </summary>
internal readonly struct DenseCodebook128<TFma> : ICodebookPath where TFma : struct, IFma128
{
    private const int Width = 4;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void WidenCodebook(ref ushort codebook, int count, ref float table)
    {
        for (int c = 0; c < count; c += 2 * Width)
        {
            (Vector128<int> lower, Vector128<int> upper) = Vector128.Widen(Vector128.LoadUnsafe(ref Unsafe.As<ushort, short>(ref codebook), (nuint)c));
            HalfConvert.ToSingle(lower).StoreUnsafe(ref table, (nuint)c);
            HalfConvert.ToSingle(upper).StoreUnsafe(ref table, (nuint)(c + Width));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> Lookup16(uint fourNibbles, ref float table) => Vector128.Create(
        Unsafe.Add(ref table, fourNibbles & 0xF), Unsafe.Add(ref table, (fourNibbles >> 4) & 0xF),
        Unsafe.Add(ref table, (fourNibbles >> 8) & 0xF), Unsafe.Add(ref table, (fourNibbles >> 12) & 0xF));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Lookup256(ref byte indices, int i, ref float table)
    {
        uint four = Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref indices, i));
        return Vector128.Create(
            Unsafe.Add(ref table, four & 0xFF), Unsafe.Add(ref table, (four >> 8) & 0xFF),
            Unsafe.Add(ref table, (four >> 16) & 0xFF), Unsafe.Add(ref table, four >> 24));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Dot16(ref float x, ref byte indices, ref float table, int k)
    {
        Vector128<float> s = default, t = default;
        int i = 0;
        for (; i + 2 * Width <= k; i += 2 * Width)
        {
            uint eight = Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref indices, i / 2));
            s = TFma.MultiplyAdd(s, Lookup16(eight, ref table), Vector128.LoadUnsafe(ref x, (nuint)i));
            t = TFma.MultiplyAdd(t, Lookup16(eight >> 16, ref table), Vector128.LoadUnsafe(ref x, (nuint)(i + Width)));
        }
        return Vector128.Sum(s + t) + CodebookTail.Dot(ref x, ref indices, ref table, i, k, 16);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Dot256(ref float x, ref byte indices, ref float table, int k)
    {
        Vector128<float> s = default, t = default;
        int i = 0;
        for (; i + 2 * Width <= k; i += 2 * Width)
        {
            s = TFma.MultiplyAdd(s, Lookup256(ref indices, i, ref table), Vector128.LoadUnsafe(ref x, (nuint)i));
            t = TFma.MultiplyAdd(t, Lookup256(ref indices, i + Width, ref table), Vector128.LoadUnsafe(ref x, (nuint)(i + Width)));
        }
        return Vector128.Sum(s + t) + CodebookTail.Dot(ref x, ref indices, ref table, i, k, 256);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Decode16(ref byte indices, ref float table, ref float w, int count)
    {
        int i = 0;
        for (; i + 2 * Width <= count; i += 2 * Width)
        {
            uint eight = Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref indices, i / 2));
            Lookup16(eight, ref table).StoreUnsafe(ref w, (nuint)i);
            Lookup16(eight >> 16, ref table).StoreUnsafe(ref w, (nuint)(i + Width));
        }
        CodebookTail.Decode(ref indices, ref table, ref w, i, count, 16);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Decode256(ref byte indices, ref float table, ref float w, int count)
    {
        int i = 0;
        for (; i + Width <= count; i += Width)
            Lookup256(ref indices, i, ref table).StoreUnsafe(ref w, (nuint)i);
        CodebookTail.Decode(ref indices, ref table, ref w, i, count, 256);
    }

    public static float Dot(ref float x, ref float w, int count) => FloatDot.Vector128Path<TFma>(ref x, ref w, count);
}

/// <summary>
/// arm64: the 16 fp32 entries sit in four registers and TBL picks bytes 4c .. 4c + 3 for index c, so 4 weights cost a
/// widening shift, a multiply-add into byte offsets and one TBL. 256 entries and the plain dot products are the
/// 128-bit ones with FMLA.
/// </summary>
internal readonly struct DenseCodebookAdvSimd : ICodebookPath
{
    private const int Width = 4;

    public static void WidenCodebook(ref ushort codebook, int count, ref float table) =>
        DenseCodebook128<AdvSimdFma128>.WidenCodebook(ref codebook, count, ref table);

    /// <summary>Weights for the 4 nibbles selected by <paramref name="shifts"/> (negative: right shifts) of <paramref name="eight"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> Lookup16(Vector128<uint> eight, Vector128<int> shifts,
        (Vector128<byte>, Vector128<byte>, Vector128<byte>, Vector128<byte>) table)
    {
        Vector128<uint> index = AdvSimd.ShiftLogical(eight, shifts) & Vector128.Create(0xFu);
        Vector128<uint> bytes = index * Vector128.Create(0x04040404u) + Vector128.Create(0x03020100u);
        return AdvSimd.Arm64.VectorTableLookup(table, bytes.AsByte()).AsSingle();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector128<byte>, Vector128<byte>, Vector128<byte>, Vector128<byte>) LoadTable(ref float table) =>
        (Vector128.LoadUnsafe(ref table).AsByte(), Vector128.LoadUnsafe(ref table, 4).AsByte(),
         Vector128.LoadUnsafe(ref table, 8).AsByte(), Vector128.LoadUnsafe(ref table, 12).AsByte());

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Dot16(ref float x, ref byte indices, ref float table, int k)
    {
        var t16 = LoadTable(ref table);
        Vector128<int> first = Vector128.Create(0, -4, -8, -12), second = Vector128.Create(-16, -20, -24, -28);
        Vector128<float> s = default, t = default;
        int i = 0;
        for (; i + 2 * Width <= k; i += 2 * Width)
        {
            Vector128<uint> eight = Vector128.Create(Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref indices, i / 2)));
            s = AdvSimd.FusedMultiplyAdd(s, Lookup16(eight, first, t16), Vector128.LoadUnsafe(ref x, (nuint)i));
            t = AdvSimd.FusedMultiplyAdd(t, Lookup16(eight, second, t16), Vector128.LoadUnsafe(ref x, (nuint)(i + Width)));
        }
        return Vector128.Sum(s + t) + CodebookTail.Dot(ref x, ref indices, ref table, i, k, 16);
    }

    public static float Dot256(ref float x, ref byte indices, ref float table, int k) =>
        DenseCodebook128<AdvSimdFma128>.Dot256(ref x, ref indices, ref table, k);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Decode16(ref byte indices, ref float table, ref float w, int count)
    {
        var t16 = LoadTable(ref table);
        Vector128<int> first = Vector128.Create(0, -4, -8, -12), second = Vector128.Create(-16, -20, -24, -28);
        int i = 0;
        for (; i + 2 * Width <= count; i += 2 * Width)
        {
            Vector128<uint> eight = Vector128.Create(Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref indices, i / 2)));
            Lookup16(eight, first, t16).StoreUnsafe(ref w, (nuint)i);
            Lookup16(eight, second, t16).StoreUnsafe(ref w, (nuint)(i + Width));
        }
        CodebookTail.Decode(ref indices, ref table, ref w, i, count, 16);
    }

    public static void Decode256(ref byte indices, ref float table, ref float w, int count) =>
        DenseCodebook128<AdvSimdFma128>.Decode256(ref indices, ref table, ref w, count);

    public static float Dot(ref float x, ref float w, int count) =>
        DenseCodebook128<AdvSimdFma128>.Dot(ref x, ref w, count);
}
