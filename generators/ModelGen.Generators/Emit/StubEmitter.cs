using System.Linq;
using ModelGen.Generators.Model;

namespace ModelGen.Generators.Emit;

/// <summary>
/// For a model with problems: only its layer properties, each throwing. Without an implementation part every partial
/// layer property is a declaration error (CS9248), and a command-line build stops at declaration errors before
/// analyzers run, so the MG diagnostics that say what is wrong would never be shown.
/// </summary>
internal static class StubEmitter
{
    /// <summary>Whether a stub file can be added: the type can be extended and at least one property needs a body.</summary>
    public static bool CanEmit(ModelSpec spec) =>
        TypeScaffold.CanExtend(spec.Type)
        && spec.ContainingTypes.All(TypeScaffold.CanExtend)
        && (spec.Layers.Any(NeedsStub) || spec.GraphLayers.Any(NeedsStub));

    /// <summary>The source of the stub file.</summary>
    public static string Emit(ModelSpec spec)
    {
        var writer = new IndentedWriter();
        TypeScaffold.Open(writer, spec, $"partial {spec.Type.Keyword} {CSharpCode.Identifier(spec.Type.Name)}");
        var message = CSharpCode.String($"{spec.Type.Name} has ModelGen errors (see the MG diagnostics); its members are generated once they are fixed.");
        writer.Line($"// The model has ModelGen errors, so only these placeholders are generated: they keep the build going far enough to report them.");
        foreach (var property in spec.Layers.Select(static l => l.Property).Concat(spec.GraphLayers.Select(static l => l.Property)).Where(NeedsStub))
        {
            writer.Open($"{property.Modifiers} {property.QualifiedTypeName} {CSharpCode.Identifier(property.Name)}");
            foreach (var accessor in property.Accessors)
            {
                writer.Line($"{accessor} => throw new global::System.InvalidOperationException({message});");
            }

            writer.Close();
        }

        TypeScaffold.Close(writer, spec);
        return writer.ToString();
    }

    // A partial definition of a type generated code can name; an indexer or unresolved type the compiler reports anyway.
    private static bool NeedsStub(DenseSpec layer) => NeedsStub(layer.Property);

    private static bool NeedsStub(Model.Graph.GraphLayerSpec layer) => NeedsStub(layer.Property);

    private static bool NeedsStub(LayerPropertySpec property) =>
        property is { IsPartialDefinition: true, IsIndexer: false, QualifiedTypeName: not null, Accessors.Count: > 0 };
}
