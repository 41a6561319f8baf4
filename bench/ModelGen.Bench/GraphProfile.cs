using System.Diagnostics;
using FashionMnist;
using MobileNetV2;

namespace ModelGen.Bench;

/// <summary>
/// Per-layer time of a graph model at batch 1 (<c>bench/run graph-profile cnn|cnn8|mnv2|mnv28 WEIGHTS</c>): a backend
/// that times each call of the CPU kernels. Use <c>DOTNET_TieredCompilation=0</c>: the 50 timed runs are too few for
/// tiering to finish.
/// </summary>
public static class GraphProfile
{
    /// <summary>Prints the total per call and the slowest layers, microseconds per call.</summary>
    public static void Run(string which, string weights, int runs)
    {
        var backend = new TimingBackend();
        using IModel model = which switch
        {
            "cnn" => CnnFloat32.Load(weights).With(m => m.Backend = backend),
            "cnn8" => CnnInt8.Load(weights).With(m => m.Backend = backend),
            "mnv2" => MobileNetV2Float32.Load(weights).With(m => m.Backend = backend),
            _ => MobileNetV2Int8.Load(weights).With(m => m.Backend = backend),
        };
        var input = new float[model.InputFeatures];
        for (int i = 0; i < input.Length; i++)
            input[i] = i % 97 / 97f;
        var output = new float[model.OutputFeatures];
        for (int i = 0; i < 5; i++)
            model.Forward(input, output, 1);
        backend.Microseconds.Clear();
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < runs; i++)
            model.Forward(input, output, 1);
        Console.WriteLine($"total {Stopwatch.GetElapsedTime(start).TotalMicroseconds / runs:F1} us");
        foreach (var (layer, us) in backend.Microseconds.OrderByDescending(p => p.Value).Take(100))
            Console.WriteLine($"{us / runs,10:F1} {layer}");
    }

    private static T With<T>(this T model, Action<T> configure)
    {
        configure(model);
        return model;
    }

    private sealed class TimingBackend : CpuLayerBackend
    {
        public Dictionary<string, double> Microseconds { get; } = [];

        public override void Dense(GraphLayer layer, in LayerSpans spans) { long t = Stopwatch.GetTimestamp(); base.Dense(layer, spans); Add(layer, t); }
        public override void Conv2d(GraphLayer layer, in LayerSpans spans) { long t = Stopwatch.GetTimestamp(); base.Conv2d(layer, spans); Add(layer, t); }
        public override void BatchNorm2d(GraphLayer layer, in LayerSpans spans) { long t = Stopwatch.GetTimestamp(); base.BatchNorm2d(layer, spans); Add(layer, t); }
        public override void Pool(GraphLayer layer, in LayerSpans spans) { long t = Stopwatch.GetTimestamp(); base.Pool(layer, spans); Add(layer, t); }
        public override void Add(GraphLayer layer, in LayerSpans spans) { long t = Stopwatch.GetTimestamp(); base.Add(layer, spans); Add(layer, t); }
        public override void LayerNorm(GraphLayer layer, in LayerSpans spans) { long t = Stopwatch.GetTimestamp(); base.LayerNorm(layer, spans); Add(layer, t); }
        public override void Activate(GraphLayer layer, in LayerSpans spans) { long t = Stopwatch.GetTimestamp(); base.Activate(layer, spans); Add(layer, t); }

        private void Add(GraphLayer layer, long start)
        {
            var w = layer.Window;
            string key = $"{layer.Kind} {layer.Name} {layer.Precision} [{string.Join(",", layer.InputShape)}]->[{string.Join(",", layer.OutputShape)}] g{w.Groups} k{w.KernelHeight} s{w.StrideHeight}";
            Microseconds[key] = Microseconds.GetValueOrDefault(key) + Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }
    }
}
