using ModelGen.Generators.Model;

namespace ModelGen.Generators.Emit;

/// <summary>Writes the <c>ILayerBackend</c> skeleton of a <c>[LayerBackend]</c> class: one optional hook per layer kind.</summary>
internal static class BackendEmitter
{
    private const string Layer = "global::ModelGen.GraphLayer";
    private const string Spans = "global::ModelGen.LayerSpans";

    public static string Emit(BackendSpec spec)
    {
        var writer = new IndentedWriter();
        TypeScaffold.Open(writer, spec.Namespace, spec.ContainingTypes, $"partial class {CSharpCode.Identifier(spec.Type.Name)} : global::ModelGen.ILayerBackend");
        for (var i = 0; i < BackendSpec.Methods.Length; i++)
        {
            var kind = BackendSpec.Methods[i];
            if (i > 0)
            {
                writer.Line();
            }

            writer.Lines($$"""
                void global::ModelGen.ILayerBackend.{{kind}}({{Layer}} layer, in {{Spans}} spans)
                {
                    var handled = false;
                    On{{kind}}(layer, spans, ref handled);
                    if (!handled)
                    {
                        global::ModelGen.CpuLayerBackend.Instance.{{kind}}(layer, spans);
                    }
                }

                /// <summary>Runs a {{kind}} layer on this backend and sets <paramref name="handled"/>; left unimplemented, the CPU runs it.</summary>
                /// <param name="layer">The layer, with its shapes and offsets.</param>
                /// <param name="spans">Its input, output, weights and scratch.</param>
                /// <param name="handled">Set to true when this backend computed the layer.</param>
                partial void On{{kind}}({{Layer}} layer, in {{Spans}} spans, ref bool handled);
                """);
        }

        TypeScaffold.Close(writer, spec.ContainingTypes);
        return writer.ToString();
    }
}
