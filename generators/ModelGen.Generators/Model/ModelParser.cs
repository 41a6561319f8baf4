using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using ModelGen.Generators.Model.Graph;

namespace ModelGen.Generators.Model;

/// <summary>
/// Reads a <c>[Model]</c> class into a <see cref="ModelSpec"/> of plain values, with a <see cref="ModelSourceMap"/>
/// beside it so the analyzer can point at the source. Reads everything it can and judges nothing: what is valid is the
/// <see cref="ModelValidator"/>'s call, so the generator and the analyzer agree.
/// </summary>
internal static class ModelParser
{
    private static readonly SymbolDisplayFormat s_qualifiedTypeFormat = SymbolDisplayFormat.FullyQualifiedFormat
        .AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    /// <summary>Parses <paramref name="type"/>, or returns null when it is not a class carrying <c>[Model]</c>.</summary>
    public static ParsedModel? Parse(INamedTypeSymbol type, ModelGenSymbols symbols, CancellationToken cancellationToken)
    {
        // [Model] on a struct or interface is a compiler error (the attribute targets classes); leave it to the compiler.
        if (type.TypeKind != TypeKind.Class)
        {
            return null;
        }

        var modelAttributes = AttributesOfType(type, symbols.ModelAttribute);
        if (modelAttributes.Count == 0)
        {
            return null;
        }

        var options = ParseOptions(modelAttributes);
        var layers = new List<DenseSpec>();
        var layerSources = ImmutableArray.CreateBuilder<LayerSource>();
        var graphLayers = new List<GraphLayerSpec>();
        var graphSources = ImmutableArray.CreateBuilder<LayerSource>();
        foreach (var property in type.GetMembers().OfType<IPropertySymbol>())
        {
            cancellationToken.ThrowIfCancellationRequested();
            var denseAttributes = AttributesOfType(property, symbols.DenseAttribute);
            var layerAttributes = LayerAttributes(property, symbols);

            // A graph model reads every layer attribute as a graph layer; a Dense chain keeps its [Dense] layers and
            // collects other layer attributes only to report them.
            if (options.InputShape is null && denseAttributes.Count > 0)
            {
                layers.Add(ParseLayer(property, denseAttributes, symbols, cancellationToken));
                layerSources.Add(new LayerSource(property, denseAttributes[0]));
            }

            if (layerAttributes.Count > 0 && (options.InputShape is not null || layerAttributes.Count > denseAttributes.Count))
            {
                var attribute = options.InputShape is null ? layerAttributes.First(a => !IsDense(a, symbols)) : layerAttributes[0];
                var propertySpec = ParseProperty(property, symbols, cancellationToken);
                if (options.InputShape is not null && BlockExpansion.IsBlock(attribute))
                {
                    var previous = graphLayers.Count == 0 ? GraphLayerSpec.ModelInputName : graphLayers[graphLayers.Count - 1].Property.Name;
                    BlockExpansion.Expand(property, propertySpec, attribute, layerAttributes.Count, previous, options.WeightPrecision, graphLayers, graphSources, symbols, cancellationToken);
                    continue;
                }

                graphLayers.Add(GraphLayerParser.Parse(propertySpec, attribute, layerAttributes.Count, IsBound(attribute), options.WeightPrecision));
                graphSources.Add(new LayerSource(property, attribute));
            }
        }

        var spec = new ModelSpec(
            NamespaceOf(type),
            ParseDeclaration(type, cancellationToken),
            ContainingTypes(type, cancellationToken),
            options,
            layers.ToEquatableArray(),
            graphLayers.ToEquatableArray());
        return new ParsedModel(spec, new ModelSourceMap(type, modelAttributes[0], layerSources.ToImmutable(), graphSources.ToImmutable()));
    }

    private static List<AttributeData> AttributesOfType(ISymbol symbol, INamedTypeSymbol attributeType) =>
        symbol.GetAttributes()
            .Where(attribute => SymbolEqualityComparer.Default.Equals(attribute.AttributeClass, attributeType))
            .ToList();

    // Every attribute derived from ModelGen.LayerAttribute, in source order.
    internal static List<AttributeData> LayerAttributes(IPropertySymbol property, ModelGenSymbols symbols) =>
        symbols.LayerAttribute is not { } layerAttribute
            ? []
            : property.GetAttributes().Where(attribute => DerivesFrom(attribute.AttributeClass, layerAttribute)).ToList();

    private static bool IsDense(AttributeData attribute, ModelGenSymbols symbols) =>
        SymbolEqualityComparer.Default.Equals(attribute.AttributeClass, symbols.DenseAttribute);

    private static bool DerivesFrom(INamedTypeSymbol? type, INamedTypeSymbol baseType)
    {
        for (var t = type?.BaseType; t is not null; t = t.BaseType)
        {
            if (SymbolEqualityComparer.Default.Equals(t, baseType))
            {
                return true;
            }
        }

        return false;
    }

    // Metadata names joined by dots; ToDisplayString would add '@' to keyword names, which the emitter escapes itself.
    internal static string NamespaceOf(INamedTypeSymbol type)
    {
        var parts = new List<string>();
        for (var ns = type.ContainingNamespace; ns is { IsGlobalNamespace: false }; ns = ns.ContainingNamespace)
        {
            parts.Insert(0, ns.Name);
        }

        return string.Join(".", parts);
    }

    internal static EquatableArray<TypeDeclarationSpec> ContainingTypes(INamedTypeSymbol type, CancellationToken cancellationToken)
    {
        var containing = new List<TypeDeclarationSpec>();
        for (var outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
        {
            containing.Insert(0, ParseDeclaration(outer, cancellationToken));
        }

        return containing.ToEquatableArray();
    }

    internal static TypeDeclarationSpec ParseDeclaration(INamedTypeSymbol type, CancellationToken cancellationToken)
    {
        var declarations = type.DeclaringSyntaxReferences
            .Select(reference => reference.GetSyntax(cancellationToken))
            .OfType<TypeDeclarationSyntax>()
            .ToList();
        var isPartial = declarations.Count > 0 && declarations.All(static d => d.Modifiers.Any(m => m.ValueText == "partial"));
        var modifiers = declarations.Count > 0 ? JoinModifiers(declarations[0].Modifiers) : string.Empty;
        return new TypeDeclarationSpec(
            type.Name,
            Keyword(type),
            modifiers,
            isPartial,
            type.TypeParameters.Length > 0,
            type.IsStatic,
            type.IsAbstract && !type.IsStatic,
            type.IsFileLocal);
    }

    private static string Keyword(INamedTypeSymbol type) => type.TypeKind switch
    {
        TypeKind.Struct => type.IsRecord ? "record struct" : "struct",
        TypeKind.Interface => "interface",
        _ => type.IsRecord ? "record" : "class",
    };

    private static string JoinModifiers(SyntaxTokenList modifiers) =>
        string.Join(" ", modifiers.Select(static modifier => modifier.ValueText));

    private static ModelOptionsSpec ParseOptions(List<AttributeData> modelAttributes)
    {
        var attribute = modelAttributes[0];
        var maxBatch = ModelOptionsSpec.DefaultMaxBatch;
        string? memoryBudget = null;
        var softmax = false;
        var activationPrecision = LayerPrecision.Float32;
        var weightPrecision = LayerPrecision.Float32;
        EquatableArray<int>? inputShape = null;
        foreach (var argument in attribute.NamedArguments)
        {
            // An array constant (InputShape) has no single Value; reading it throws.
            var value = argument.Value.Kind == TypedConstantKind.Array ? null : argument.Value.Value;
            switch (argument.Key)
            {
                case "MaxBatch" when value is int batch:
                    maxBatch = batch;
                    break;
                case "MemoryBudget":
                    memoryBudget = value as string;
                    break;
                case "Softmax" when value is bool apply:
                    softmax = apply;
                    break;
                case "ActivationPrecision" when value is int precision:
                    activationPrecision = (LayerPrecision)precision;
                    break;
                case "WeightPrecision" when value is int precision:
                    weightPrecision = (LayerPrecision)precision;
                    break;
                case "InputShape" when !argument.Value.IsNull && argument.Value.Kind == TypedConstantKind.Array:
                    inputShape = argument.Value.Values.Select(static v => v.Value is int d ? d : 0).ToEquatableArray();
                    break;
            }
        }

        return new ModelOptionsSpec(modelAttributes.Count == 1 && IsBound(attribute), maxBatch, memoryBudget, softmax, activationPrecision, inputShape, weightPrecision);
    }

    private static DenseSpec ParseLayer(
        IPropertySymbol property,
        List<AttributeData> denseAttributes,
        ModelGenSymbols symbols,
        CancellationToken cancellationToken)
    {
        var attribute = denseAttributes[0];
        var constructorArguments = attribute.ConstructorArguments;
        var inFeatures = constructorArguments.Length == 2 && constructorArguments[0].Value is int k ? k : 0;
        var outFeatures = constructorArguments.Length == 2 && constructorArguments[1].Value is int n ? n : 0;
        var activation = LayerActivation.None;
        var precision = LayerPrecision.Float32;
        var bias = true;
        string? name = null;
        var scheme = LayerScheme.Plain;
        foreach (var argument in attribute.NamedArguments)
        {
            var value = argument.Value.Value;
            switch (argument.Key)
            {
                case "Activation" when value is int activationValue:
                    activation = (LayerActivation)activationValue;
                    break;
                case "Precision" when value is int precisionValue:
                    precision = (LayerPrecision)precisionValue;
                    break;
                case "Bias" when value is bool hasBias:
                    bias = hasBias;
                    break;
                case "Name":
                    name = value as string;
                    break;
                case "GroupSize" when value is int groupSize:
                    scheme = scheme with { GroupSize = groupSize };
                    break;
                case "Pruning" when value is int pruning:
                    scheme = scheme with { Pruning = (LayerPruning)pruning };
                    break;
                case "Sparsity" when value is double sparsity:
                    scheme = scheme with { Sparsity = sparsity };
                    break;
                case "KeepOutputs" when value is int keep:
                    scheme = scheme with { KeepOutputs = keep };
                    break;
                case "ChannelNorm" when value is int norm:
                    scheme = scheme with { ChannelNorm = (LayerChannelNorm)norm };
                    break;
                case "SparseStorage" when value is int storage:
                    scheme = scheme with { SparseStorage = (LayerSparseStorage)storage };
                    break;
                case "InputQuantization" when value is int quantization:
                    scheme = scheme with { InputQuantization = (LayerInputQuantization)quantization };
                    break;
            }
        }

        var isBound = denseAttributes.Count == 1 && IsBound(attribute) && constructorArguments.Length == 2;
        return new DenseSpec(
            ParseProperty(property, symbols, cancellationToken),
            isBound,
            inFeatures,
            outFeatures,
            activation,
            precision,
            bias,
            name,
            scheme);
    }

    internal static LayerPropertySpec ParseProperty(IPropertySymbol property, ModelGenSymbols symbols, CancellationToken cancellationToken)
    {
        var declaration = property.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(cancellationToken) as BasePropertyDeclarationSyntax;
        var isDenseLayer = SymbolEqualityComparer.Default.Equals(property.Type, symbols.DenseLayer)
            && property.NullableAnnotation != NullableAnnotation.Annotated
            && property.RefKind == RefKind.None;
        var isGraphLayer = symbols.GraphLayer is not null
            && SymbolEqualityComparer.Default.Equals(property.Type, symbols.GraphLayer)
            && property.NullableAnnotation != NullableAnnotation.Annotated
            && property.RefKind == RefKind.None;
        var writable = property.Type.TypeKind != TypeKind.Error && property.RefKind == RefKind.None;
        return new LayerPropertySpec(
            property.IsIndexer ? "this[]" : property.Name,
            declaration is null ? string.Empty : JoinModifiers(declaration.Modifiers),
            property.Type.ToDisplayString(SymbolDisplayFormat.CSharpErrorMessageFormat),
            writable ? property.Type.ToDisplayString(s_qualifiedTypeFormat) : null,
            isDenseLayer,
            property.IsPartialDefinition,
            property.IsStatic,
            property.SetMethod is not null,
            property.IsIndexer,
            Accessors(declaration),
            isGraphLayer);
    }

    private static EquatableArray<string> Accessors(BasePropertyDeclarationSyntax? declaration) =>
        (declaration?.AccessorList?.Accessors ?? default)
            .Select(static accessor => accessor.Modifiers.Count == 0
                ? accessor.Keyword.ValueText
                : JoinModifiers(accessor.Modifiers) + " " + accessor.Keyword.ValueText)
            .ToEquatableArray();

    // The compiler reports unbindable attributes (wrong argument types, missing arguments) itself.
    internal static bool IsBound(AttributeData attribute) =>
        attribute.AttributeConstructor is not null
        && attribute.ConstructorArguments.All(static argument => argument.Kind != TypedConstantKind.Error)
        && attribute.NamedArguments.All(static argument => argument.Value.Kind != TypedConstantKind.Error);
}
