using System.Linq;

namespace ModelGen.Generators.Model;

/// <summary>
/// One <c>[Model]</c> class as plain values: what the parser read from the symbols, before any validation. It holds no
/// symbol, syntax or location, so the incremental pipeline can compare it by value and cache everything after it.
/// </summary>
/// <param name="Namespace">Containing namespace (<c>Demo.Models</c>), empty for the global namespace.</param>
/// <param name="Type">The model class declaration.</param>
/// <param name="ContainingTypes">Types the model class is nested in, outermost first.</param>
/// <param name="Options">The <c>[Model]</c> arguments.</param>
/// <param name="Layers">The <c>[Dense]</c> properties in declaration order.</param>
internal sealed record ModelSpec(
    string Namespace,
    TypeDeclarationSpec Type,
    EquatableArray<TypeDeclarationSpec> ContainingTypes,
    ModelOptionsSpec Options,
    EquatableArray<DenseSpec> Layers)
{
    /// <summary>
    /// Whether an attribute could not be bound (wrong argument types, missing arguments, duplicates). The compiler
    /// reports those; the generator emits nothing rather than guessing values.
    /// </summary>
    public bool HasBindingErrors => !Options.IsBound || Layers.Any(static layer => !layer.IsBound);
}
