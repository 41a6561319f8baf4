namespace ModelGen.Tests.IO;

/// <summary>Dense layers laid out as generated code does: in order, each tensor at the next 64-byte boundary.</summary>
internal static class Layouts
{
    public static DenseLayer[] Build(out long blockBytes, params (string Name, int In, int Out, Precision Precision, bool Bias)[] specs)
    {
        long cursor = 0;
        var layers = new List<DenseLayer>();
        foreach ((string name, int inFeatures, int outFeatures, Precision precision, bool hasBias) in specs)
        {
            int weight = (int)DenseLayout.Align(cursor);
            cursor = weight + DenseLayout.WeightMatrixBytes(inFeatures, outFeatures, precision);
            int scale = -1;
            if (precision == Precision.Int8)
            {
                scale = (int)DenseLayout.Align(cursor);
                cursor = scale + 4L * outFeatures;
            }

            int bias = -1;
            if (hasBias)
            {
                bias = (int)DenseLayout.Align(cursor);
                cursor = bias + 4L * outFeatures;
            }

            layers.Add(new DenseLayer(name, inFeatures, outFeatures, precision, Activation.None, weight, scale, bias));
        }

        blockBytes = DenseLayout.Align(cursor);
        return [.. layers];
    }

    /// <summary>The reference MLP: hidden 784 -> 256 (ReLU), output 256 -> 10, both with bias.</summary>
    public static DenseLayer[] FashionMlp(Precision precision, out long blockBytes)
    {
        DenseLayer[] layers = Build(out blockBytes, ("hidden", 784, 256, precision, true), ("output", 256, 10, precision, true));
        DenseLayer hidden = layers[0];
        layers[0] = new DenseLayer(hidden.Name, hidden.InFeatures, hidden.OutFeatures, precision, Activation.Relu,
            hidden.WeightOffset, hidden.ScaleOffset, hidden.BiasOffset);
        return layers;
    }
}
