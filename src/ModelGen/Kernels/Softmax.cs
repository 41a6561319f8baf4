namespace ModelGen.Kernels;

/// <summary>Numerically stable row-wise softmax.</summary>
public static class Softmax
{
    /// <summary>Replaces each of the <paramref name="rows"/> rows of <paramref name="width"/> values by its softmax.</summary>
    public static void Rows(Span<float> values, int rows, int width) => throw new NotImplementedException();
}
