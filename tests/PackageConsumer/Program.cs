using ModelGen;
using ModelGen.IO;

// Loads the PyTorch MLP through a model generated from the ModelGen package and checks it against PyTorch's logits.
string models = args[0];
using var model = PackagedMlp.Load(Path.Combine(models, "fashion_mlp.safetensors"));
using var reference = SafeTensorsFile.Open(Path.Combine(models, "fashion_mlp.reference.safetensors"));
float[] input = reference.ReadFloat32("input"), expected = reference.ReadFloat32("logits");
var logits = new float[expected.Length];
for (int start = 0; start < 256; start += PackagedMlp.MaxBatch)
{
    model.Forward(input.AsSpan(start * 784, PackagedMlp.MaxBatch * 784), logits.AsSpan(start * 10, PackagedMlp.MaxBatch * 10), PackagedMlp.MaxBatch);
}

float maxError = logits.Zip(expected, (a, b) => MathF.Abs(a - b)).Max();
Console.WriteLine($"package consumer: max |logit - PyTorch| = {maxError:G3}");
return maxError <= 1e-4f ? 0 : 1;

[Model(MaxBatch = 32)]
internal sealed partial class PackagedMlp
{
    [Dense(784, 256, Activation = Activation.Relu)]
    public partial DenseLayer Hidden { get; }

    [Dense(256, 10)]
    public partial DenseLayer Output { get; }
}
