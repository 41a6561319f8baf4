using System.Runtime.CompilerServices;

namespace ModelGen.Kernels;

/// <summary>Plain loops: the reference every float path is tested against, and the fallback for rows shorter than a vector.</summary>
internal static class DenseFloatScalar
{
    public static void Run<TW, TF>(in FloatDense<TW> a) where TW : unmanaged where TF : struct, IWeightFormat<TW>
    {
        for (int b = 0; b < a.Batch; b++)
        {
            ref float x = ref a.XRow(b);
            for (int j = 0; j < a.N; j++)
            {
                ref TW w = ref a.WRow(j);
                float sum = 0f;
                for (int i = 0; i < a.K; i++)
                    sum += Unsafe.Add(ref x, i) * TF.ToSingle(Unsafe.Add(ref w, i));
                a.Store(b, j, sum);
            }
        }
    }
}
