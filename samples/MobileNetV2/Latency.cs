using System.Diagnostics;
using ModelGen;

namespace MobileNetV2;

/// <summary>Batch-1 latency: the median of repeated runs on the first image after a warm-up.</summary>
internal static class Latency
{
    public static double Milliseconds(IModel model, float[] images, int runs = 15)
    {
        var image = images.AsSpan(0, model.InputFeatures);
        var output = new float[model.OutputFeatures];
        model.Forward(image, output, 1);
        var times = new double[runs];
        for (int i = 0; i < runs; i++)
        {
            long start = Stopwatch.GetTimestamp();
            model.Forward(image, output, 1);
            times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }

        Array.Sort(times);
        return times[runs / 2];
    }
}
