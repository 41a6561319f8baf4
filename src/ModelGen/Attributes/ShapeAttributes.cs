namespace ModelGen;

/// <summary>Flattens each sample to one dimension (<c>torch.flatten(x, 1)</c>, NCHW order). Costs nothing: a view.</summary>
[AttributeUsage(AttributeTargets.Property, Inherited = false)]
public sealed class FlattenAttribute : LayerAttribute
{
}

/// <summary>PyTorch's <c>nn.Dropout</c>: the identity at inference, kept so the layer list mirrors the trained module.</summary>
[AttributeUsage(AttributeTargets.Property, Inherited = false)]
public sealed class DropoutAttribute : LayerAttribute
{
    /// <summary>Dropout with training-time probability <paramref name="probability"/> (unused at inference).</summary>
    public DropoutAttribute(double probability = 0.5) => Probability = probability;

    /// <summary>The training-time drop probability.</summary>
    public double Probability { get; }
}

/// <summary>
/// Residual connection: the output of the previous layer (or <see cref="LayerAttribute.Input"/>) plus the output of the
/// layer named by <see cref="Residual"/>; both must have the same shape.
/// </summary>
[AttributeUsage(AttributeTargets.Property, Inherited = false)]
public sealed class AddAttribute : LayerAttribute
{
    /// <summary>Adds the output of <paramref name="residual"/> (a property name, or <c>"input"</c> for the model input).</summary>
    public AddAttribute(string residual) => Residual = residual;

    /// <summary>The property whose output is added.</summary>
    public string Residual { get; }

    /// <summary>Element-wise activation applied to the sum.</summary>
    public Activation Activation { get; set; }
}
