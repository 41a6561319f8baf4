namespace ModelGen.Generators.Model;

/// <summary>The kind of problem the validator found; each maps to one diagnostic id.</summary>
internal enum ModelRule
{
    /// <summary>MG0001: a layer's input width differs from the previous layer's output width.</summary>
    LayerShapeMismatch,
    /// <summary>MG0002: an attribute argument, or a size derived from the arguments, is out of range.</summary>
    AttributeValueOutOfRange,
    /// <summary>MG0003: the class or a layer property is declared in a way the generator cannot extend.</summary>
    InvalidModelDeclaration,
    /// <summary>MG0013: layer options that cannot work together (e.g. a codebook with 2:4 pruning).</summary>
    IncompatibleLayerOptions,
    /// <summary>MG0014: a graph layer's input shape does not fit it, or a graph edge is wrong.</summary>
    GraphShapeMismatch,
}
