using System.Runtime.CompilerServices;
using ModelGen.Numerics;

namespace ModelGen.Kernels;

/// <summary>Plain loops over the looked-up weights: the reference every codebook path is tested against.</summary>
internal static class DenseCodebookScalar
{
    public static void Run(in CodebookDense a)
    {
        Span<float> table = stackalloc float[256];
        for (int j = 0; j < a.N; j++)
        {
            if (j == 0 || a.PerRow)
                for (int c = 0; c < a.Centroids; c++)
                    table[c] = HalfConversion.ToSingle(Unsafe.Add(ref a.CodebookOf(j), c));
            ref byte indices = ref a.IndexRow(j);
            for (int b = 0; b < a.Batch; b++)
            {
                ref float x = ref a.XRow(b);
                float sum = 0f;
                for (int i = 0; i < a.K; i++)
                    sum += Unsafe.Add(ref x, i) * table[CodebookDense.IndexAt(ref indices, i, a.Centroids)];
                a.Store(b, j, sum);
            }
        }
    }
}
