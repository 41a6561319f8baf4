namespace ModelGen;

/// <summary>
/// Marks an interface as a reusable group of graph layers: its <see cref="GraphLayer"/> properties carry layer
/// attributes exactly as a model's do, in declaration order. Inside the block, <see cref="LayerAttribute.Input"/> and
/// <see cref="AddAttribute.Residual"/> name the block's own properties, or <c>"input"</c> for the block's input (a
/// residual connection around the block). Models insert it with <see cref="BlockAttribute"/>; nothing is generated
/// for the interface itself.
/// </summary>
[AttributeUsage(AttributeTargets.Interface, Inherited = false)]
public sealed class ModelBlockAttribute : Attribute
{
}
