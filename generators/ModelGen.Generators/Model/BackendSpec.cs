namespace ModelGen.Generators.Model;

/// <summary>A <c>[LayerBackend]</c> class as plain values.</summary>
/// <param name="Namespace">Containing namespace, empty for the global namespace.</param>
/// <param name="Type">The class declaration.</param>
/// <param name="ContainingTypes">Types it is nested in, outermost first.</param>
internal sealed record BackendSpec(string Namespace, TypeDeclarationSpec Type, EquatableArray<TypeDeclarationSpec> ContainingTypes)
{
    /// <summary>The layer kinds of <c>ILayerBackend</c>, by method name.</summary>
    public static readonly string[] Methods = ["Dense", "Conv2d", "BatchNorm2d", "Pool", "LayerNorm", "Activate", "Add"];

    /// <summary>Whether a partial declaration can implement the interface: a partial, non-static, non-generic class.</summary>
    public bool CanEmit => Type.IsPartial && !Type.IsStatic && !Type.IsGeneric && !Type.IsFileLocal && Type.Keyword == "class";
}
