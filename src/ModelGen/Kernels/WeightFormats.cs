using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ModelGen.Kernels;

/// <summary>
/// How a weight element of storage type <typeparamref name="TW"/> becomes fp32. The float kernels are generic over
/// this (implemented by structs, so the JIT specializes and inlines each format), which keeps one copy of each kernel
/// for fp32, fp16 and bf16 weights.
/// </summary>
internal interface IWeightFormat<TW> where TW : unmanaged
{
    /// <summary>
    /// Whether converting a vector of weights takes several registers (constants, temporaries): too many to spare
    /// next to the 12 accumulators of the Avx2 4 x 3 tile, so that format uses a smaller tile.
    /// </summary>
    static abstract bool HeavyConversion { get; }

    static abstract float ToSingle(TW w);

    /// <summary>Reads 4 consecutive weights from <paramref name="p"/>.</summary>
    static abstract Vector128<float> Load4(ref TW p);

    /// <summary>Reads 8 consecutive weights from <paramref name="p"/>. Avx2 only.</summary>
    static abstract Vector256<float> Load8(ref TW p);
}

internal readonly struct Float32Weights : IWeightFormat<float>
{
    public static bool HeavyConversion => false;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float ToSingle(float w) => w;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Load4(ref float p) => Vector128.LoadUnsafe(ref p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Load8(ref float p) => Vector256.LoadUnsafe(ref p);
}

internal readonly struct Float16Weights : IWeightFormat<ushort>
{
    public static bool HeavyConversion => true;

    // The reference conversion (the BCL's), independent of the SIMD bit trick it checks.
    public static float ToSingle(ushort w) => (float)BitConverter.UInt16BitsToHalf(w);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Load4(ref ushort p) =>
        HalfConvert.ToSingle(Vector128.WidenLower(
            Vector128.CreateScalarUnsafe(Unsafe.ReadUnaligned<ulong>(ref Unsafe.As<ushort, byte>(ref p))).AsInt16()));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Load8(ref ushort p) =>
        HalfConvert.ToSingle(Avx2.ConvertToVector256Int32(Vector128.LoadUnsafe(ref Unsafe.As<ushort, short>(ref p))));
}

internal readonly struct BFloat16Weights : IWeightFormat<ushort>
{
    public static bool HeavyConversion => false;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float ToSingle(ushort w) => Numerics.BFloat16Conversion.ToSingle(w);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Load4(ref ushort p) =>
        (Vector128.WidenLower(
            Vector128.CreateScalarUnsafe(Unsafe.ReadUnaligned<ulong>(ref Unsafe.As<ushort, byte>(ref p))).AsUInt16()) << 16).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Load8(ref ushort p) =>
        Avx2.ShiftLeftLogical(Avx2.ConvertToVector256Int32(Vector128.LoadUnsafe(ref p)), 16).AsSingle();
}
