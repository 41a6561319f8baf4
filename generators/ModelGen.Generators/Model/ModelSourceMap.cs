using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace ModelGen.Generators.Model;

/// <summary>
/// Finds the source a <see cref="ProblemTarget"/> points at. Holds symbols, so it stays outside the generator's
/// pipeline; only the analyzer asks it for locations, and only when there is a problem to report.
/// </summary>
internal sealed class ModelSourceMap
{
    private readonly INamedTypeSymbol _type;
    private readonly AttributeData _modelAttribute;
    private readonly ImmutableArray<LayerSource> _layers;
    private readonly ImmutableArray<LayerSource> _graphLayers;

    /// <summary>
    /// Creates the map of <paramref name="type"/>, its first <c>[Model]</c>, each layer's first <c>[Dense]</c> and each
    /// graph layer's layer attribute.
    /// </summary>
    public ModelSourceMap(INamedTypeSymbol type, AttributeData modelAttribute, ImmutableArray<LayerSource> layers,
        ImmutableArray<LayerSource> graphLayers = default)
    {
        _type = type;
        _modelAttribute = modelAttribute;
        _layers = layers;
        _graphLayers = graphLayers.IsDefault ? ImmutableArray<LayerSource>.Empty : graphLayers;
    }

    /// <summary>
    /// The location of <paramref name="target"/>: an identifier, a whole attribute, or one attribute argument (for a
    /// named argument, all of <c>MaxBatch = 0</c>). An argument left at its default points at its attribute.
    /// </summary>
    public Location Locate(ProblemTarget target, CancellationToken cancellationToken)
    {
        if (target.LayerIndex < 0)
        {
            return target.Kind switch
            {
                ProblemTargetKind.ModelAttribute => AttributeLocation(_modelAttribute, cancellationToken),
                ProblemTargetKind.MaxBatch => NamedArgument(_modelAttribute, "MaxBatch", cancellationToken),
                ProblemTargetKind.MemoryBudget => NamedArgument(_modelAttribute, "MemoryBudget", cancellationToken),
                ProblemTargetKind.ActivationPrecision => NamedArgument(_modelAttribute, "ActivationPrecision", cancellationToken),
                ProblemTargetKind.InputShape => NamedArgument(_modelAttribute, "InputShape", cancellationToken),
                ProblemTargetKind.WeightPrecision => NamedArgument(_modelAttribute, "WeightPrecision", cancellationToken),
                _ => ModelIdentifier(cancellationToken),
            };
        }

        if (target.InGraph)
        {
            return LocateGraphLayer(_graphLayers[target.LayerIndex], target.Kind, cancellationToken);
        }

        var layer = _layers[target.LayerIndex];
        return target.Kind switch
        {
            ProblemTargetKind.LayerAttribute => AttributeLocation(layer.Attribute, cancellationToken),
            ProblemTargetKind.InFeatures => ConstructorArgument(layer.Attribute, 0, cancellationToken),
            ProblemTargetKind.OutFeatures => ConstructorArgument(layer.Attribute, 1, cancellationToken),
            ProblemTargetKind.Activation => NamedArgument(layer.Attribute, "Activation", cancellationToken),
            ProblemTargetKind.Precision => NamedArgument(layer.Attribute, "Precision", cancellationToken),
            ProblemTargetKind.Name or ProblemTargetKind.GroupSize or ProblemTargetKind.Pruning or ProblemTargetKind.Sparsity
                or ProblemTargetKind.KeepOutputs or ProblemTargetKind.ChannelNorm or ProblemTargetKind.InputQuantization or ProblemTargetKind.SparseStorage
                => NamedArgument(layer.Attribute, target.Kind.ToString(), cancellationToken),
            _ => layer.Property.Locations.FirstOrDefault() ?? Location.None,
        };
    }

    // Whole-layer targets point at the layer's attribute (a block's use, for its last member); arguments point at
    // the attribute they are written in (the member's, inside the block interface).
    private Location LocateGraphLayer(LayerSource layer, ProblemTargetKind kind, CancellationToken cancellationToken) => kind switch
    {
        ProblemTargetKind.LayerIdentifier => layer.Property.Locations.FirstOrDefault() ?? Location.None,
        ProblemTargetKind.InFeatures or ProblemTargetKind.Residual => ConstructorArgument(layer.ArgumentsAttribute, 0, cancellationToken),
        ProblemTargetKind.OutFeatures => ConstructorArgument(layer.ArgumentsAttribute, 1, cancellationToken),
        ProblemTargetKind.KernelSize => ConstructorArgument(layer.ArgumentsAttribute, ParameterIndex(layer.ArgumentsAttribute, "kernelSize"), cancellationToken),
        ProblemTargetKind.LayerAttribute or ProblemTargetKind.ModelAttribute or ProblemTargetKind.ModelIdentifier
            => AttributeLocation(layer.Attribute, cancellationToken),
        _ => NamedArgument(layer.ArgumentsAttribute, kind.ToString(), cancellationToken),
    };

    private static int ParameterIndex(AttributeData attribute, string name)
    {
        var parameters = attribute.AttributeConstructor?.Parameters ?? ImmutableArray<IParameterSymbol>.Empty;
        for (var i = 0; i < parameters.Length; i++)
        {
            if (parameters[i].Name == name)
            {
                return i;
            }
        }

        return parameters.Length;
    }

    // The identifier of the declaration that carries [Model] (a partial class has several).
    private Location ModelIdentifier(CancellationToken cancellationToken)
    {
        var declaration = Syntax(_modelAttribute, cancellationToken)?.FirstAncestorOrSelf<TypeDeclarationSyntax>();
        return declaration?.Identifier.GetLocation() ?? _type.Locations.FirstOrDefault() ?? Location.None;
    }

    private Location AttributeLocation(AttributeData attribute, CancellationToken cancellationToken) =>
        Syntax(attribute, cancellationToken)?.GetLocation() ?? ModelIdentifier(cancellationToken);

    private Location NamedArgument(AttributeData attribute, string name, CancellationToken cancellationToken)
    {
        var argument = Syntax(attribute, cancellationToken)?.ArgumentList?.Arguments
            .FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == name);
        return argument?.GetLocation() ?? AttributeLocation(attribute, cancellationToken);
    }

    // Positional arguments may also be written by name (`inFeatures: 784`).
    private Location ConstructorArgument(AttributeData attribute, int index, CancellationToken cancellationToken)
    {
        var parameters = attribute.AttributeConstructor?.Parameters ?? ImmutableArray<IParameterSymbol>.Empty;
        var parameterName = index < parameters.Length ? parameters[index].Name : null;
        var arguments = Syntax(attribute, cancellationToken)?.ArgumentList?.Arguments
            .Where(static a => a.NameEquals is null)
            .ToList();
        var argument = arguments?.FirstOrDefault(a => a.NameColon?.Name.Identifier.ValueText == parameterName)
            ?? (arguments is not null && index < arguments.Count && arguments[index].NameColon is null ? arguments[index] : null);
        return argument?.GetLocation() ?? AttributeLocation(attribute, cancellationToken);
    }

    private static AttributeSyntax? Syntax(AttributeData attribute, CancellationToken cancellationToken) =>
        attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) as AttributeSyntax;
}

/// <summary>A layer property and its first <c>[Dense]</c>, for <see cref="ModelSourceMap"/>.</summary>
/// <param name="Property">The property symbol.</param>
/// <param name="Attribute">Its <c>[Dense]</c> (its layer attribute in a graph model).</param>
/// <param name="MemberAttribute">
/// For the last member of a block, which takes the block use's property and attribute: the member's own layer
/// attribute in the <c>[ModelBlock]</c> interface, where its arguments are written; null otherwise.
/// </param>
internal readonly record struct LayerSource(IPropertySymbol Property, AttributeData Attribute, AttributeData? MemberAttribute = null)
{
    /// <summary>The attribute whose arguments configure the layer.</summary>
    public AttributeData ArgumentsAttribute => MemberAttribute ?? Attribute;
}
