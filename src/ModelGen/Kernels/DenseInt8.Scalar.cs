using System.Runtime.CompilerServices;

namespace ModelGen.Kernels;

/// <summary>Plain int8 dot products: the reference every int8 path is tested against, and the fallback for short rows.</summary>
internal static class DenseInt8Scalar
{
    public static void Run(in Int8Dense a)
    {
        for (int b = 0; b < a.Batch; b++)
        {
            ref sbyte x = ref a.XRow(b);
            for (int j = 0; j < a.N; j++)
            {
                ref sbyte w = ref a.WRow(j);
                int dot = 0;
                for (int i = 0; i < a.K; i++)
                    dot += Unsafe.Add(ref x, i) * Unsafe.Add(ref w, i);
                a.Store(b, j, dot);
            }
        }
    }
}
