using Microsoft.CodeAnalysis;

namespace ModelGen.Generators.Model;

/// <summary>The runtime types a compilation must contain for ModelGen to apply, resolved once per compilation.</summary>
internal sealed class ModelGenSymbols
{
    private ModelGenSymbols(INamedTypeSymbol modelAttribute, INamedTypeSymbol denseAttribute, INamedTypeSymbol denseLayer,
        INamedTypeSymbol? layerAttribute, INamedTypeSymbol? graphLayer)
    {
        ModelAttribute = modelAttribute;
        DenseAttribute = denseAttribute;
        DenseLayer = denseLayer;
        LayerAttribute = layerAttribute;
        GraphLayer = graphLayer;
    }

    /// <summary><c>ModelGen.LayerAttribute</c>, or null with a runtime that predates graph models.</summary>
    public INamedTypeSymbol? LayerAttribute { get; }

    /// <summary><c>ModelGen.GraphLayer</c>, or null with a runtime that predates graph models.</summary>
    public INamedTypeSymbol? GraphLayer { get; }

    /// <summary><c>ModelGen.ModelAttribute</c>.</summary>
    public INamedTypeSymbol ModelAttribute { get; }

    /// <summary><c>ModelGen.DenseAttribute</c>.</summary>
    public INamedTypeSymbol DenseAttribute { get; }

    /// <summary><c>ModelGen.DenseLayer</c>.</summary>
    public INamedTypeSymbol DenseLayer { get; }

    /// <summary>Resolves the types, or returns null when the compilation does not reference the ModelGen runtime.</summary>
    public static ModelGenSymbols? TryCreate(Compilation compilation)
    {
        var model = compilation.GetTypeByMetadataName(ModelGenNames.ModelAttribute);
        var dense = compilation.GetTypeByMetadataName(ModelGenNames.DenseAttribute);
        var layer = compilation.GetTypeByMetadataName(ModelGenNames.DenseLayer);
        return model is null || dense is null || layer is null
            ? null
            : new ModelGenSymbols(model, dense, layer,
                compilation.GetTypeByMetadataName(ModelGenNames.LayerAttribute), compilation.GetTypeByMetadataName(ModelGenNames.GraphLayer));
    }
}
