using System.Globalization;
using FashionMnist;

namespace ModelGen.Bench;

/// <summary>
/// <see cref="ParallelForward"/> on fashion_mlp at batch 64: one thread (the model's own Forward) against two threads,
/// with the default bit-exact 24-row alignment (ranges of 24 + 40 rows) and with balanced 32 + 32 ranges. The three
/// variants alternate within one process, three times, and each reports the median of its three medians.
/// </summary>
public static class ThreadsBench
{
    private const int Batch = 64;

    /// <summary>Prints a table and <c>RESULT mlp.&lt;precision&gt;.b64.t2 speedup=...</c> lines.</summary>
    public static void Run(bool quick)
    {
        Console.WriteLine($"ParallelForward bench: {Environment.ProcessorCount} cores, batch {Batch}; timings on a shared machine are noisy");
        var random = new Random(42);
        var input = new float[Batch * 784];
        for (int i = 0; i < input.Length; i++)
        {
            input[i] = random.NextSingle();
        }

        var results = new List<(string Precision, double T1, double T2, double T2Balanced)>
        {
            Measure<MlpFloat32>("fp32", input, quick),
            Measure<MlpInt8>("int8", input, quick),
        };

        Console.WriteLine();
        Console.WriteLine($"{"measurement",-16} {"t1 us",9} {"t2 us",9} {"speedup",8} {"t2 32+32 us",12} {"speedup",8}");
        foreach (var r in results)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{$"mlp.{r.Precision}.b{Batch}",-16} {r.T1,9:F1} {r.T2,9:F1} {r.T1 / r.T2,7:F2}x {r.T2Balanced,12:F1} {r.T1 / r.T2Balanced,7:F2}x"));
        }

        foreach (var r in results)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"RESULT mlp.{r.Precision}.b{Batch}.t2 speedup={r.T1 / r.T2:F3} t1_us={r.T1:F1} t2_us={r.T2:F1} balanced_speedup={r.T1 / r.T2Balanced:F3}"));
        }
    }

    private static (string, double, double, double) Measure<TModel>(string precision, float[] input, bool quick)
        where TModel : IModel<TModel>
    {
        using var stream = File.OpenRead(Path.Combine(AppContext.BaseDirectory, "data", "fashion_mlp.safetensors"));
        using var model = TModel.Load(stream);
        using var aligned = new ParallelForward(model, 2);
        using var balanced = new ParallelForward(model, 2, rowAlignment: 1);
        var output = new float[Batch * 10];
        var t1 = new double[3];
        var t2 = new double[3];
        var t2Balanced = new double[3];
        for (int repeat = 0; repeat < 3; repeat++)
        {
            t1[repeat] = Timing.MedianMicroseconds(() => model.Forward(input, output, Batch), quick);
            t2[repeat] = Timing.MedianMicroseconds(() => aligned.Forward(input, output, Batch), quick);
            t2Balanced[repeat] = Timing.MedianMicroseconds(() => balanced.Forward(input, output, Batch), quick);
        }

        return (precision, Median(t1), Median(t2), Median(t2Balanced));
    }

    private static double Median(double[] values)
    {
        Array.Sort(values);
        return values[values.Length / 2];
    }
}
