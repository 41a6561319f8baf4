using System.Numerics.Tensors;

namespace ModelGen.Bench;

/// <summary>
/// The plain-.NET peer: the same 784-256-10 MLP written directly with System.Numerics.Tensors (one Dot per output,
/// vectorised ReLU), fp32 weights in managed arrays.
/// </summary>
public sealed class TensorPrimitivesMlp
{
    private readonly float[] _hiddenWeight, _hiddenBias, _outputWeight, _outputBias;
    private readonly float[] _hidden;
    private readonly int _inputs, _hiddenWidth, _outputs;

    /// <summary>Creates the MLP from PyTorch-layout weights ([out, in]) for up to <paramref name="maxBatch"/> rows.</summary>
    public TensorPrimitivesMlp(float[] hiddenWeight, float[] hiddenBias, float[] outputWeight, float[] outputBias, int maxBatch)
    {
        (_hiddenWeight, _hiddenBias, _outputWeight, _outputBias) = (hiddenWeight, hiddenBias, outputWeight, outputBias);
        _hiddenWidth = hiddenBias.Length;
        _outputs = outputBias.Length;
        _inputs = hiddenWeight.Length / _hiddenWidth;
        _hidden = new float[maxBatch * _hiddenWidth];
    }

    /// <summary>Logits for <paramref name="batch"/> rows.</summary>
    public void Forward(ReadOnlySpan<float> input, Span<float> output, int batch)
    {
        Linear(input, _hiddenWeight, _hiddenBias, _hidden, batch, _inputs, _hiddenWidth);
        var hidden = _hidden.AsSpan(0, batch * _hiddenWidth);
        TensorPrimitives.Max(hidden, 0f, hidden);
        Linear(hidden, _outputWeight, _outputBias, output, batch, _hiddenWidth, _outputs);
    }

    private static void Linear(ReadOnlySpan<float> x, float[] w, float[] bias, Span<float> y, int batch, int k, int n)
    {
        for (int b = 0; b < batch; b++)
        {
            var row = x.Slice(b * k, k);
            for (int j = 0; j < n; j++)
            {
                y[b * n + j] = TensorPrimitives.Dot(row, w.AsSpan(j * k, k)) + bias[j];
            }
        }
    }
}
