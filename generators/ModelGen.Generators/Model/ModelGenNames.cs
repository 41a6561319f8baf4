namespace ModelGen.Generators.Model;

/// <summary>Metadata names of the runtime types the generator and analyzers recognise.</summary>
internal static class ModelGenNames
{
    /// <summary><c>[Model]</c>.</summary>
    public const string ModelAttribute = "ModelGen.ModelAttribute";

    /// <summary>Metadata name of <c>[LayerBackend]</c>.</summary>
    public const string LayerBackendAttribute = "ModelGen.LayerBackendAttribute";

    /// <summary><c>[Dense]</c>.</summary>
    public const string DenseAttribute = "ModelGen.DenseAttribute";

    /// <summary>The type of a layer property.</summary>
    public const string DenseLayer = "ModelGen.DenseLayer";

    /// <summary>The base of all layer attributes.</summary>
    public const string LayerAttribute = "ModelGen.LayerAttribute";

    /// <summary>The type of a graph model's layer property.</summary>
    public const string GraphLayer = "ModelGen.GraphLayer";
}
