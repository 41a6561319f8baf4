namespace ModelGen;

/// <summary>A standalone activation layer; fused into the layer before it when that layer has no other reader.</summary>
public abstract class ActivationLayerAttribute : LayerAttribute
{
    private protected ActivationLayerAttribute()
    {
    }
}

/// <summary><c>nn.ReLU</c>: max(x, 0).</summary>
[AttributeUsage(AttributeTargets.Property, Inherited = false)]
public sealed class ReluAttribute : ActivationLayerAttribute
{
}

/// <summary><c>nn.ReLU6</c>: min(max(x, 0), 6).</summary>
[AttributeUsage(AttributeTargets.Property, Inherited = false)]
public sealed class Relu6Attribute : ActivationLayerAttribute
{
}

/// <summary><c>nn.GELU()</c>, exact: 0.5 x (1 + erf(x / sqrt 2)).</summary>
[AttributeUsage(AttributeTargets.Property, Inherited = false)]
public sealed class GeluAttribute : ActivationLayerAttribute
{
}

/// <summary><c>nn.Sigmoid</c>.</summary>
[AttributeUsage(AttributeTargets.Property, Inherited = false)]
public sealed class SigmoidAttribute : ActivationLayerAttribute
{
}

/// <summary><c>nn.Tanh</c>.</summary>
[AttributeUsage(AttributeTargets.Property, Inherited = false)]
public sealed class TanhAttribute : ActivationLayerAttribute
{
}
