using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;

namespace ModelGen.Generators.Model.Graph;

/// <summary>
/// Inserts the layers of a <c>[Block(typeof(IBlock))]</c> use into a graph model's layer list: each property of the
/// <c>[ModelBlock]</c> interface becomes a layer named <c>Use.Member</c> (judged like any other layer; the analyzer
/// reports its problems at the member's attribute), the last one takes the use's own property, so the use stands for
/// the block's output. Names the block's members refer to are mapped to the inserted layers, and <c>"input"</c> to the
/// block's input. Blocks may use other blocks; tensor names nest (<c>features.3</c> + <c>conv.0.0</c>).
/// </summary>
internal static class BlockExpansion
{
    private const string BlockAttributeName = "BlockAttribute";
    private const string ModelBlockAttributeName = "ModelBlockAttribute";

    /// <summary>Whether <paramref name="attribute"/> is ModelGen's <c>[Block]</c>.</summary>
    public static bool IsBlock(AttributeData attribute) => IsModelGen(attribute.AttributeClass, BlockAttributeName);

    /// <summary>Deepest nesting of blocks in blocks (a block that uses itself stops here).</summary>
    private const int MaxDepth = 8;

    /// <summary>
    /// Appends the layers of the block used by <paramref name="use"/> (or one <see cref="GraphLayerKind.InvalidBlock"/>
    /// layer saying why it cannot be used) to <paramref name="layers"/> and their sources to <paramref name="sources"/>.
    /// </summary>
    public static void Expand(IPropertySymbol use, LayerPropertySpec useSpec, AttributeData attribute, int attributeCount,
        string previousLayer, LayerPrecision weightPrecision, List<GraphLayerSpec> layers, ImmutableArray<LayerSource>.Builder sources,
        ModelGenSymbols symbols, CancellationToken cancellationToken)
    {
        var context = new Context(weightPrecision, layers, sources, symbols, cancellationToken);
        var input = GraphLayerParser.Parse(useSpec, attribute, attributeCount, ModelParser.IsBound(attribute)).Input ?? previousLayer;
        ExpandUse(context, use, useSpec, attribute, attributeCount, input, useSpec.Name, parentPrefix: string.Empty, depth: 0);
    }

    // path names the use in messages (Body.Second); useSpec is the property its output takes (Body, when Second is the
    // last member of Body's block).
    private static void ExpandUse(Context context, IPropertySymbol use, LayerPropertySpec useSpec, AttributeData attribute,
        int attributeCount, string blockInput, string path, string parentPrefix, int depth)
    {
        var template = GraphLayerParser.Parse(useSpec, attribute, attributeCount, ModelParser.IsBound(attribute));
        var blockType = attribute.ConstructorArguments.Length == 1 ? attribute.ConstructorArguments[0].Value as INamedTypeSymbol : null;
        var members = blockType is null
            ? []
            : blockType.GetMembers().OfType<IPropertySymbol>()
                .Select(member => (Member: member, Attributes: ModelParser.LayerAttributes(member, context.Symbols)))
                .Where(static m => m.Attributes.Count > 0)
                .ToList();
        var problem = blockType is null ? "its type could not be read"
            : blockType.TypeKind != TypeKind.Interface || !blockType.GetAttributes().Any(a => IsModelGen(a.AttributeClass, ModelBlockAttributeName))
                ? $"'{blockType.Name}' is not an interface marked [ModelBlock]"
            : members.Count == 0 ? $"'{blockType.Name}' declares no layer properties"
            : depth >= MaxDepth ? $"blocks nest more than {MaxDepth} deep at '{blockType.Name}' (does a block use itself?)"
            : null;
        if (problem is not null)
        {
            context.Layers.Add(template with { Kind = GraphLayerKind.InvalidBlock, AttributeName = problem });
            context.Sources.Add(new LayerSource(use, attribute));
            return;
        }

        var prefix = Join(parentPrefix, template.Name ?? TensorNames.FromPropertyName(use.Name));
        var lastMember = members[members.Count - 1].Member.Name;
        string Mapped(string member) => member == lastMember ? useSpec.Name : path + "." + member;
        string? Reference(string? name, bool isFirst) =>
            name is null ? (isFirst ? blockInput : null)
            : name == GraphLayerSpec.ModelInputName ? blockInput
            : Mapped(name); // a name the block does not declare is reported by the validator under this name

        for (var i = 0; i < members.Count; i++)
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            var (member, attributes) = members[i];
            var isLast = i == members.Count - 1;
            var property = isLast
                ? useSpec
                : ModelParser.ParseProperty(member, context.Symbols, context.CancellationToken) with { Name = Mapped(member.Name), IsBlockMember = true };
            var layer = GraphLayerParser.Parse(property, attributes[0], attributes.Count, ModelParser.IsBound(attributes[0]), context.WeightPrecision);
            if (IsBlock(attributes[0]))
            {
                var nestedInput = Reference(layer.Input, isFirst: i == 0) ?? context.Layers[context.Layers.Count - 1].Property.Name;
                ExpandUse(context, member, property, attributes[0], attributes.Count, nestedInput, path + "." + member.Name, prefix, depth + 1);
                continue;
            }

            context.Layers.Add(layer with
            {
                Name = Join(prefix, layer.Name ?? TensorNames.FromPropertyName(member.Name)),
                Input = Reference(layer.Input, isFirst: i == 0),
                Residual = layer.Kind == GraphLayerKind.Add ? Reference(layer.Residual ?? string.Empty, isFirst: false) : layer.Residual,
            });
            context.Sources.Add(isLast ? new LayerSource(use, attribute, attributes[0]) : new LayerSource(member, attributes[0]));
        }
    }

    private static string Join(string prefix, string name) =>
        prefix.Length == 0 ? name : name.Length == 0 ? prefix : prefix + "." + name;

    private sealed record Context(LayerPrecision WeightPrecision, List<GraphLayerSpec> Layers,
        ImmutableArray<LayerSource>.Builder Sources, ModelGenSymbols Symbols, CancellationToken CancellationToken);

    private static bool IsModelGen(INamedTypeSymbol? type, string name) =>
        type is { ContainingNamespace: { Name: "ModelGen", ContainingNamespace.IsGlobalNamespace: true } } && type.Name == name;
}
