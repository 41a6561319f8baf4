namespace ModelGen;

/// <summary>
/// Uses a block — an interface marked <see cref="ModelBlockAttribute"/> whose properties are layers — in a graph model:
/// its layers are inserted here, in their declaration order, reading this layer's input. The property then stands for
/// the block's output (its last layer). Tensor names are the block's own names under this layer's
/// <see cref="LayerAttribute.Name"/> (<c>layers.0</c> + <c>fc_a</c> = <c>layers.0.fc_a</c>; an empty Name adds no
/// prefix; null uses the property name in snake_case). The same block may be used any number of times.
/// </summary>
[AttributeUsage(AttributeTargets.Property, Inherited = false)]
public sealed class BlockAttribute : LayerAttribute
{
    /// <summary>Inserts the layers of <paramref name="block"/>, an interface marked <see cref="ModelBlockAttribute"/>.</summary>
    public BlockAttribute(Type block) => Block = block;

    /// <summary>The block interface.</summary>
    public Type Block { get; }
}
