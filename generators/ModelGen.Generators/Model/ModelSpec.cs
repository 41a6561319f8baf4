using System.Linq;
using ModelGen.Generators.Model.Graph;

namespace ModelGen.Generators.Model;

/// <summary>
/// One <c>[Model]</c> class as plain values: what the parser read from the symbols, before any validation. It holds no
/// symbol, syntax or location, so the incremental pipeline can compare it by value and cache everything after it.
/// </summary>
/// <param name="Namespace">Containing namespace (<c>Demo.Models</c>), empty for the global namespace.</param>
/// <param name="Type">The model class declaration.</param>
/// <param name="ContainingTypes">Types the model class is nested in, outermost first.</param>
/// <param name="Options">The <c>[Model]</c> arguments.</param>
/// <param name="Layers">The <c>[Dense]</c> properties in declaration order (empty in a graph model).</param>
/// <param name="GraphLayers">
/// A graph model's layer properties in declaration order; in a Dense-chain model, the properties that carry other
/// layer attributes (an error).
/// </param>
internal sealed record ModelSpec(
    string Namespace,
    TypeDeclarationSpec Type,
    EquatableArray<TypeDeclarationSpec> ContainingTypes,
    ModelOptionsSpec Options,
    EquatableArray<DenseSpec> Layers,
    EquatableArray<GraphLayerSpec> GraphLayers = default)
{
    /// <summary>Whether <c>[Model(InputShape = ...)]</c> makes this a graph model.</summary>
    public bool IsGraph => Options.InputShape is not null;

    /// <summary>
    /// Whether an attribute could not be bound (wrong argument types, missing arguments, duplicates). The compiler
    /// reports those; the generator emits nothing rather than guessing values.
    /// </summary>
    public bool HasBindingErrors =>
        !Options.IsBound || Layers.Any(static layer => !layer.IsBound) || GraphLayers.Any(static layer => !layer.IsBound);
}
