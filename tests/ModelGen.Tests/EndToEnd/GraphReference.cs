using ModelGen.IO;

namespace ModelGen.Tests.EndToEnd;

/// <summary>What the graph-model tests share: PyTorch's reference inputs and logits, and a model run in batches.</summary>
internal static class GraphReference
{
    /// <summary>The reference images and PyTorch's logits for them from <c>{model}.reference.safetensors</c>.</summary>
    public static (float[] Input, float[] Logits) Load(string model)
    {
        using var file = SafeTensorsFile.Open(ReferenceData.ModelPath($"{model}.reference.safetensors"));
        return (file.ReadFloat32("input"), file.ReadFloat32("logits"));
    }

    /// <summary>The logits of every input row, <paramref name="batch"/> rows per Forward call.</summary>
    public static float[] Run(IModel model, float[] input, int batch)
    {
        int count = input.Length / model.InputFeatures;
        var logits = new float[count * model.OutputFeatures];
        for (int start = 0; start < count; start += batch)
        {
            int n = Math.Min(batch, count - start);
            model.Forward(input.AsSpan(start * model.InputFeatures, n * model.InputFeatures),
                logits.AsSpan(start * model.OutputFeatures, n * model.OutputFeatures), n);
        }

        return logits;
    }
}
