using System.Runtime.CompilerServices;

namespace ModelGen.Kernels;

/// <summary>Plain int4 block dot products: the reference every int4 path is tested against.</summary>
internal static class DenseInt4Scalar
{
    [SkipLocalsInit]
    public static void Run(in Int4Dense a)
    {
        Span<float> slots = stackalloc float[Int4Dense.Slots];
        for (int b = 0; b < a.Batch; b++)
        {
            ref sbyte xRow = ref a.XRow(b);
            for (int j = 0; j < a.N; j++)
            {
                ref byte wRow = ref a.WRow(j);
                slots.Clear();
                for (int g = 0; g < a.Blocks; g++)
                {
                    int dot = 0, xSum = 0;
                    for (int i = g * a.GroupSize; i < (g + 1) * a.GroupSize; i++)
                    {
                        // Value i sits in byte 16 * (i / 32) + i % 16: low nibble for i % 32 < 16, else high.
                        byte packed = Unsafe.Add(ref wRow, 16 * (i >> 5) + (i & 15));
                        int nibble = (i & 31) < 16 ? packed & 0xF : packed >> 4;
                        int q = Unsafe.Add(ref xRow, i);
                        dot += q * nibble;
                        xSum += q;
                    }
                    slots[g % Int4Dense.Slots] += a.BlockValue(b, j, g, dot, xSum);
                }
                a.Store(b, j, slots);
            }
        }
    }
}
