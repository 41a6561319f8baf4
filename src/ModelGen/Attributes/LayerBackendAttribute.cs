namespace ModelGen;

/// <summary>
/// Makes a <c>partial</c> class an <see cref="ILayerBackend"/> skeleton: the generator implements every layer kind as
/// a call to an optional partial method <c>On&lt;Kind&gt;(GraphLayer layer, in LayerSpans spans, ref bool handled)</c>
/// (<c>OnDense</c>, <c>OnConv2d</c>, <c>OnBatchNorm2d</c>, <c>OnPool</c>, <c>OnLayerNorm</c>, <c>OnActivate</c>,
/// <c>OnAdd</c>). A new offload backend implements the hooks for the kinds it runs and sets <c>handled</c>; every
/// other layer runs on <see cref="CpuLayerBackend.Instance"/>. Assign an instance to a graph model's <c>Backend</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class LayerBackendAttribute : Attribute
{
}
