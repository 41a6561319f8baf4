using System.Diagnostics;
using FashionMnist;
using MobileNetV2;

namespace ModelGen.Bench;

public static class GraphProfile
{
    private sealed class TimingBackend : CpuLayerBackend
    {
        public readonly Dictionary<string, double> Us = new();
        private void T(GraphLayer l, long start) { var k = $"{l.Kind} {l.Name} {l.Precision} [{string.Join(",", l.InputShape)}]->[{string.Join(",", l.OutputShape)}] g{l.Window.Groups} k{l.Window.KernelHeight} s{l.Window.StrideHeight}"; Us[k] = Us.GetValueOrDefault(k) + Stopwatch.GetElapsedTime(start).TotalMicroseconds; }
        public override void Dense(GraphLayer l, in LayerSpans s) { long t = Stopwatch.GetTimestamp(); base.Dense(l, s); T(l, t); }
        public override void Conv2d(GraphLayer l, in LayerSpans s) { long t = Stopwatch.GetTimestamp(); base.Conv2d(l, s); T(l, t); }
        public override void Pool(GraphLayer l, in LayerSpans s) { long t = Stopwatch.GetTimestamp(); base.Pool(l, s); T(l, t); }
        public override void Add(GraphLayer l, in LayerSpans s) { long t = Stopwatch.GetTimestamp(); base.Add(l, s); T(l, t); }
        public override void LayerNorm(GraphLayer l, in LayerSpans s) { long t = Stopwatch.GetTimestamp(); base.LayerNorm(l, s); T(l, t); }
        public override void Activate(GraphLayer l, in LayerSpans s) { long t = Stopwatch.GetTimestamp(); base.Activate(l, s); T(l, t); }
    }

    public static void Run(string which, string path, int runs)
    {
        IModel model = which switch { "cnn" => CnnFloat32.Load(path), "cnn8" => CnnInt8.Load(path), "mnv2" => MobileNetV2Float32.Load(path), _ => MobileNetV2Int8.Load(path) };
        var backend = new TimingBackend();
        switch (model) { case CnnFloat32 m: m.Backend = backend; break; case CnnInt8 m: m.Backend = backend; break; case MobileNetV2Float32 m: m.Backend = backend; break; case MobileNetV2Int8 m: m.Backend = backend; break; }
        var input = new float[model.InputFeatures];
        for (int i = 0; i < input.Length; i++) input[i] = (i % 97) / 97f;
        var output = new float[model.OutputFeatures];
        for (int i = 0; i < 5; i++) model.Forward(input, output, 1);
        backend.Us.Clear();
        long t0 = Stopwatch.GetTimestamp();
        for (int i = 0; i < runs; i++) model.Forward(input, output, 1);
        double total = Stopwatch.GetElapsedTime(t0).TotalMicroseconds / runs;
        Console.WriteLine($"total {total:F1} us");
        foreach (var (k, v) in backend.Us.OrderByDescending(p => p.Value).Take(100)) Console.WriteLine($"{v / runs,10:F1} {k}");
        model.Dispose();
    }
}
