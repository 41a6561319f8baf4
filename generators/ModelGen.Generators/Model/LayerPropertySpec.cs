namespace ModelGen.Generators.Model;

/// <summary>How a <c>[Dense]</c> property is declared; the validator checks that the generator can implement it.</summary>
/// <param name="Name">Property name as in metadata (no <c>@</c>); for an indexer, <c>this[]</c>.</param>
/// <param name="Modifiers">Declared modifiers, space-separated (<c>public partial</c>), repeated on the implementation.</param>
/// <param name="TypeName">The declared type as C# shows it in messages.</param>
/// <param name="QualifiedTypeName">
/// The declared type as generated code writes it (<c>global::</c>-qualified, nullable annotation kept), or null when it
/// cannot be written: an unresolved type or a <c>ref</c> return.
/// </param>
/// <param name="IsDenseLayer">Whether the type is exactly (non-nullable, non-ref) <c>ModelGen.DenseLayer</c>.</param>
/// <param name="IsPartialDefinition">Whether it is a partial property declaration without a body.</param>
/// <param name="IsStatic">Whether it is static.</param>
/// <param name="HasSetter">Whether it has a <c>set</c> or <c>init</c> accessor.</param>
/// <param name="IsIndexer">Whether it is an indexer.</param>
/// <param name="Accessors">The accessors as declared, without bodies (<c>get</c>, <c>private set</c>, <c>init</c>).</param>
/// <param name="IsGraphLayer">Whether the type is exactly (non-nullable, non-ref) <c>ModelGen.GraphLayer</c>.</param>
/// <param name="IsBlockMember">Whether it is a property of a <c>[ModelBlock]</c> interface inserted by <c>[Block]</c>: not implemented by the generator.</param>
internal sealed record LayerPropertySpec(
    string Name,
    string Modifiers,
    string TypeName,
    string? QualifiedTypeName,
    bool IsDenseLayer,
    bool IsPartialDefinition,
    bool IsStatic,
    bool HasSetter,
    bool IsIndexer,
    EquatableArray<string> Accessors,
    bool IsGraphLayer = false,
    bool IsBlockMember = false);
