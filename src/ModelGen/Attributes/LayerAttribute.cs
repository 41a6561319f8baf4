namespace ModelGen;

/// <summary>
/// Base of the layer attributes. A model's layer properties, in declaration order, form its graph: each layer reads the
/// output of the layer declared just before it (the first one reads the model input) unless <see cref="Input"/> names
/// another layer.
/// </summary>
public abstract class LayerAttribute : Attribute
{
    /// <summary>
    /// Tensor name prefix in weight files (<c>features.1.conv.0.0</c>); null derives it from the property name in
    /// snake_case. Weightless layers use it only in reports.
    /// </summary>
    public string? Name { get; set; }

    /// <summary>
    /// The property name of the layer whose output this layer reads (<c>nameof(Stem)</c>), or <c>"input"</c> for the
    /// model input; null reads the layer declared just before. Only in graph models (see <see cref="ModelAttribute.InputShape"/>).
    /// </summary>
    public string? Input { get; set; }
}
