using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ModelGen.Bench;

/// <summary>The bandwidth yardstick: reads every byte of a buffer with wide loads into independent accumulators.</summary>
public static class StreamingRead
{
    /// <summary>Touches all of <paramref name="bytes"/>; returns a value so the JIT cannot drop the loads.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static int Sum(ReadOnlySpan<byte> bytes)
    {
        var vectors = MemoryMarshal.Cast<byte, Vector256<int>>(bytes);
        Vector256<int> a = default, b = default, c = default, d = default;
        int i = 0;
        for (; i + 4 <= vectors.Length; i += 4)
        {
            a += vectors[i];
            b += vectors[i + 1];
            c += vectors[i + 2];
            d += vectors[i + 3];
        }

        for (; i < vectors.Length; i++)
        {
            a += vectors[i];
        }

        return Vector256.Sum(a + b + c + d);
    }
}
