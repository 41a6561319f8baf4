using ModelGen.IO;

namespace ModelGen.Tests.EndToEnd;

/// <summary>The shipped PyTorch artifacts: weights and the logits PyTorch computed for the first 256 test images.</summary>
internal static class ReferenceData
{
    public const int Count = 256, Inputs = 784, Classes = 10;

    private static readonly Lazy<(float[] Input, long[] Labels, float[] Logits)> s_reference = new(() =>
    {
        using var stream = File.OpenRead(ModelPath("fashion_mlp.reference.safetensors"));
        using var file = SafeTensorsFile.Open(stream);
        return (file.ReadFloat32("input"), file.ReadInt64("labels"), file.ReadFloat32("logits"));
    });

    public static float[] Input => s_reference.Value.Input;

    public static long[] Labels => s_reference.Value.Labels;

    public static float[] PyTorchLogits => s_reference.Value.Logits;

    public static string ModelPath(string file) => Path.Combine(AppContext.BaseDirectory, "data", "models", file);

    /// <summary>Runs all reference images through <paramref name="model"/> in batches of its MaxBatch.</summary>
    public static float[] Logits(IModel model)
    {
        var logits = new float[Count * Classes];
        for (int start = 0; start < Count; start += model.MaxBatch)
        {
            int batch = Math.Min(model.MaxBatch, Count - start);
            model.Forward(Input.AsSpan(start * Inputs, batch * Inputs), logits.AsSpan(start * Classes, batch * Classes), batch);
        }

        return logits;
    }

    public static int[] Top1(float[] logits)
    {
        var top = new int[logits.Length / Classes];
        for (int i = 0; i < top.Length; i++)
        {
            var row = logits.AsSpan(i * Classes, Classes);
            int best = 0;
            for (int c = 1; c < Classes; c++)
            {
                best = row[c] > row[best] ? c : best;
            }

            top[i] = best;
        }

        return top;
    }

    public static double Agreement(int[] a, int[] b) => (double)a.Zip(b).Count(p => p.First == p.Second) / a.Length;
}
