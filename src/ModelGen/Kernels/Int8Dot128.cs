using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace ModelGen.Kernels;

/// <summary>
/// acc + the products of 16 int8 pairs, spread over the 4 int32 lanes in any way: only the total of the lanes is
/// used, and it is exact. The 128-bit int8 kernels are specialized on this step.
/// </summary>
internal interface IInt8Dot128
{
    static abstract Vector128<int> Accumulate(Vector128<int> acc, Vector128<sbyte> w, Vector128<sbyte> x);
}

/// <summary>Portable: widen to int16, multiply, add pairs of products in int16, widen to int32.</summary>
internal readonly struct PortableInt8Dot128 : IInt8Dot128
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<int> Accumulate(Vector128<int> acc, Vector128<sbyte> w, Vector128<sbyte> x)
    {
        // |w * x| <= 128 * 127, so the sum of two products (<= 32512) still fits int16.
        Vector128<short> p = Vector128.WidenLower(w) * Vector128.WidenLower(x) + Vector128.WidenUpper(w) * Vector128.WidenUpper(x);
        return acc + Vector128.WidenLower(p) + Vector128.WidenUpper(p);
    }
}

/// <summary>arm64 without SDOT: SMULL + SMLAL2 (same int16 bound as above), then SADALP into int32.</summary>
internal readonly struct AdvSimdInt8Dot128 : IInt8Dot128
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<int> Accumulate(Vector128<int> acc, Vector128<sbyte> w, Vector128<sbyte> x)
    {
        Vector128<short> p = AdvSimd.MultiplyWideningLower(w.GetLower(), x.GetLower());
        p = AdvSimd.MultiplyWideningUpperAndAdd(p, w, x);
        return AdvSimd.AddPairwiseWideningAndAdd(acc, p);
    }
}

/// <summary>arm64 SDOT: each int32 lane accumulates 4 products.</summary>
internal readonly struct AdvSimdDpInt8Dot128 : IInt8Dot128
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<int> Accumulate(Vector128<int> acc, Vector128<sbyte> w, Vector128<sbyte> x) =>
        Dp.DotProduct(acc, w, x);
}

/// <summary>
/// x64 SSSE3 (on the Avx2 path, where 128-bit steps suit the sparse decode): PMADDUBSW of |w| and x carrying w's
/// sign (PSIGNB), pair sums within 2 * 128 * 127 = 32512 for every sbyte, then PMADDWD by ones into int32.
/// </summary>
internal readonly struct Ssse3Int8Dot128 : IInt8Dot128
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<int> Accumulate(Vector128<int> acc, Vector128<sbyte> w, Vector128<sbyte> x) =>
        Sse2.Add(acc, Sse2.MultiplyAddAdjacent(
            Ssse3.MultiplyAddAdjacent(Ssse3.Abs(w), Ssse3.Sign(x, w)), Vector128<short>.One));
}
