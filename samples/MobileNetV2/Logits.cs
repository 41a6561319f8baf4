namespace MobileNetV2;

/// <summary>Comparisons of two sets of logits, image after image.</summary>
internal static class Logits
{
    public static double MaxAbsDiff(ReadOnlySpan<float> actual, ReadOnlySpan<float> expected)
    {
        double max = 0;
        for (int i = 0; i < expected.Length; i++)
            max = Math.Max(max, Math.Abs((double)actual[i] - expected[i]));
        return max;
    }

    /// <summary>Max |difference| over max |expected|: the logits of random-weight MobileNetV2 sit close together.</summary>
    public static double RelativeError(ReadOnlySpan<float> actual, ReadOnlySpan<float> expected)
    {
        double scale = 0;
        foreach (float e in expected)
            scale = Math.Max(scale, Math.Abs(e));
        return MaxAbsDiff(actual, expected) / scale;
    }

    public static int Top1Agreement(ReadOnlySpan<float> a, ReadOnlySpan<float> b, int images)
    {
        int classes = a.Length / images, same = 0;
        for (int i = 0; i < images; i++)
            if (ArgMax(a.Slice(i * classes, classes)) == ArgMax(b.Slice(i * classes, classes)))
                same++;
        return same;
    }

    private static int ArgMax(ReadOnlySpan<float> row)
    {
        int best = 0;
        for (int i = 1; i < row.Length; i++)
            if (row[i] > row[best])
                best = i;
        return best;
    }
}
