using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ModelGen.Bench;

/// <summary>
/// The bandwidth yardstick: reads every byte of a buffer with 256-bit loads into eight independent accumulators,
/// no bounds checks, nothing else in the loop: as close to the machine's read bandwidth as plain code gets.
/// </summary>
public static class StreamingRead
{
    /// <summary>Touches all of <paramref name="bytes"/>; returns a value so the JIT cannot drop the loads.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static int Sum(ReadOnlySpan<byte> bytes)
    {
        ref byte start = ref MemoryMarshal.GetReference(bytes);
        nuint length = (nuint)bytes.Length & ~(nuint)255;
        Vector256<int> a = default, b = default, c = default, d = default, e = default, f = default, g = default, h = default;
        for (nuint i = 0; i < length; i += 256)
        {
            ref byte p = ref Unsafe.Add(ref start, i);
            a += Vector256.LoadUnsafe(ref p).AsInt32();
            b += Vector256.LoadUnsafe(ref p, 32).AsInt32();
            c += Vector256.LoadUnsafe(ref p, 64).AsInt32();
            d += Vector256.LoadUnsafe(ref p, 96).AsInt32();
            e += Vector256.LoadUnsafe(ref p, 128).AsInt32();
            f += Vector256.LoadUnsafe(ref p, 160).AsInt32();
            g += Vector256.LoadUnsafe(ref p, 192).AsInt32();
            h += Vector256.LoadUnsafe(ref p, 224).AsInt32();
        }

        int tail = 0;
        for (int i = (int)length; i < bytes.Length; i++)
        {
            tail += bytes[i];
        }

        return Vector256.Sum((a + b) + (c + d) + (e + f) + (g + h)) + tail;
    }
}
