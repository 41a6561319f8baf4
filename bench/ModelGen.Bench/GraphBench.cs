using FashionMnist;
using MobileNetV2;

namespace ModelGen.Bench;

/// <summary>
/// The graph models (fashion_cnn, fashion_resmlp, MobileNetV2) against ONNX Runtime fp32 on the same weights, batch 1
/// and 8, one and two threads, in the same run: ModelGen fp32 and int8 each against ORT fp32 (no int8 ONNX files of
/// these models exist). ModelGen's two threads split the batch (<see cref="ParallelForward"/>); at batch 1 there is
/// nothing to split, so its t2 rows run one thread. Then peak process memory (VmHWM) of MobileNetV2 int8 against ORT
/// fp32 at batch 1, each in a fresh process (<see cref="MemoryProbe"/>).
/// </summary>
public static class GraphBench
{
    private sealed record Case(string Name, string Weights, string Onnx, long[] InputShape, int Outputs, int Images);

    /// <summary>Prints a table and <c>RESULT &lt;model&gt;.&lt;precision&gt;.b&lt;batch&gt;.t&lt;threads&gt; ...</c> lines.</summary>
    public static void Run(string modelsDir, string dataDir, bool quick)
    {
        var cases = new[]
        {
            new Case("cnn", Path.Combine(dataDir, "fashion_cnn.safetensors"), Path.Combine(modelsDir, "fashion_cnn.onnx"), [1, 28, 28], 10, 8),
            new Case("resmlp", Path.Combine(dataDir, "fashion_resmlp.safetensors"), Path.Combine(modelsDir, "fashion_resmlp.onnx"), [784], 10, 8),
            new Case("mobilenetv2", Path.Combine(modelsDir, "mobilenet_v2.safetensors"), Path.Combine(modelsDir, "mobilenet_v2.onnx"), [3, 224, 224], 1000, 8),
        };

        var rows = new List<(string Key, double ModelGenUs, double OrtUs)>();
        foreach (var c in cases)
        {
            if (!File.Exists(c.Weights) || !File.Exists(c.Onnx))
            {
                Console.WriteLine($"{c.Name}: {c.Weights} or {c.Onnx} not found, skipped");
                continue;
            }

            foreach (int batch in new[] { 1, 8 })
            {
                var input = Inputs(c, batch);
                foreach (int threads in new[] { 1, 2 })
                {
                    double ort;
                    using (var peer = new OrtPeer(c.Onnx, batch, c.InputShape, c.Outputs, input, threads))
                    {
                        ort = Timing.MedianMicroseconds(peer.Run, quick);
                    }

                    rows.Add(($"{c.Name}.fp32.b{batch}.t{threads}", TimeModelGen(c.Name, false, c.Weights, input, batch, threads, quick), ort));
                    rows.Add(($"{c.Name}.int8.b{batch}.t{threads}", TimeModelGen(c.Name, true, c.Weights, input, batch, threads, quick), ort));
                }
            }
        }

        Console.WriteLine();
        Console.WriteLine($"{"graph model",-26} {"ModelGen us",12} {"ORT fp32 us",12} {"ORT/ModelGen",13}");
        foreach (var r in rows)
        {
            Console.WriteLine($"{r.Key,-26} {r.ModelGenUs,12:F1} {r.OrtUs,12:F1} {r.OrtUs / r.ModelGenUs,12:F2}x");
        }

        foreach (var r in rows)
        {
            Console.WriteLine($"RESULT {r.Key} modelgen_us={r.ModelGenUs:F1} peer=ort-fp32 peer_us={r.OrtUs:F1} ratio={r.OrtUs / r.ModelGenUs:F3}");
        }

        foreach (var (name, plan) in new[] { ("cnn", CnnFloat32.Plan), ("resmlp", ResMlpFloat32.Plan), ("mobilenetv2", MobileNetV2Float32.Plan) })
        {
            Console.WriteLine($"RESULT plan.{name} peak_over_lower_bound={plan.PeakOverLowerBound:F3} peak={plan.PeakBytesPerSample} lower_bound={plan.LowerBoundBytesPerSample} naive={plan.NaiveBytesPerSample}");
        }

        var mobilenet = cases[2];
        if (File.Exists(mobilenet.Weights) && File.Exists(mobilenet.Onnx))
        {
            foreach (var harness in MemoryProbe.Harnesses())
            {
                long baseline = harness.PeakRssKib("baseline", mobilenet.Weights);
                long modelGen = harness.PeakRssKib("modelgen-int8", mobilenet.Weights);
                long ort = harness.PeakRssKib("ort-fp32", mobilenet.Onnx);
                Console.WriteLine($"MobileNetV2 batch 1 peak RSS, {harness.Name}: empty process {baseline / 1024.0:F1} MiB, " +
                    $"ModelGen int8 {modelGen / 1024.0:F1} MiB, ORT fp32 {ort / 1024.0:F1} MiB");
                Console.WriteLine($"RESULT mobilenetv2.int8.b1{harness.ResultSuffix} rss_ratio={(double)modelGen / ort:F3} " +
                    $"harness={harness.Name} modelgen_kib={modelGen} ort_kib={ort} empty_process_kib={baseline}");
            }
        }
    }

    private static float[] Inputs(Case c, int batch)
    {
        long perImage = 1;
        foreach (long d in c.InputShape)
            perImage *= d;
        var random = new Random(7);
        var input = new float[batch * perImage];
        for (int i = 0; i < input.Length; i++)
            input[i] = random.NextSingle();
        return input;
    }

    private static double TimeModelGen(string name, bool int8, string weights, float[] input, int batch, int threads, bool quick) =>
        (name, int8) switch
        {
            ("cnn", false) => Time<CnnFloat32>(weights, input, batch, threads, quick),
            ("cnn", true) => Time<CnnInt8>(weights, input, batch, threads, quick),
            ("resmlp", false) => Time<ResMlpFloat32>(weights, input, batch, threads, quick),
            ("resmlp", true) => Time<ResMlpInt8>(weights, input, batch, threads, quick),
            (_, false) => Time<MobileNetV2Float32>(weights, input, batch, threads, quick),
            _ => Time<MobileNetV2Int8>(weights, input, batch, threads, quick),
        };

    private static double Time<TModel>(string weights, float[] input, int batch, int threads, bool quick) where TModel : IModel<TModel>
    {
        using var stream = File.OpenRead(weights);
        using var model = TModel.Load(stream);
        var output = new float[batch * model.OutputFeatures];
        if (threads == 1)
            return Timing.MedianMicroseconds(() => model.Forward(input, output, batch), quick);
        using var parallel = new ParallelForward(model, threads, rowAlignment: 1);
        return Timing.MedianMicroseconds(() => parallel.Forward(input, output, batch), quick);
    }
}
