using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;
using ModelGen.Generators.Model;

namespace ModelGen.Analyzers;

/// <summary>
/// Recognises calls into ModelGen at call sites: a generated model's <c>Load</c> and <c>Forward</c> (on the model
/// class itself, or through <c>IModel</c> / <c>IModel&lt;TSelf&gt;</c> in generic code), <c>NativeBlock</c> and the
/// public kernels. Resolved once per compilation.
/// </summary>
internal sealed class ModelCallSymbols
{
    private readonly INamedTypeSymbol _modelAttribute;
    private readonly INamedTypeSymbol? _model;
    private readonly INamedTypeSymbol? _modelOfSelf;

    private ModelCallSymbols(INamedTypeSymbol modelAttribute, Compilation compilation)
    {
        _modelAttribute = modelAttribute;
        _model = compilation.GetTypeByMetadataName("ModelGen.IModel");
        _modelOfSelf = compilation.GetTypeByMetadataName("ModelGen.IModel`1");
        NativeBlock = compilation.GetTypeByMetadataName("ModelGen.NativeBlock");
        DenseKernels = compilation.GetTypeByMetadataName("ModelGen.Kernels.DenseKernels");
    }

    /// <summary><c>ModelGen.NativeBlock</c>, when referenced.</summary>
    public INamedTypeSymbol? NativeBlock { get; }

    /// <summary><c>ModelGen.Kernels.DenseKernels</c>, when referenced.</summary>
    public INamedTypeSymbol? DenseKernels { get; }

    /// <summary>The symbols, or null when the compilation does not reference the ModelGen runtime.</summary>
    public static ModelCallSymbols? TryCreate(Compilation compilation) =>
        ModelGenSymbols.TryCreate(compilation) is { } symbols ? new ModelCallSymbols(symbols.ModelAttribute, compilation) : null;

    /// <summary>Whether <paramref name="method"/> is a model's static <c>Load</c>.</summary>
    public bool IsLoad(IMethodSymbol method) => method.IsStatic && method.Name == "Load" && IsModel(method.ContainingType);

    /// <summary>Whether <paramref name="method"/> is a model's <c>Forward(input, output, batch)</c>.</summary>
    public bool IsForward(IMethodSymbol method) =>
        !method.IsStatic && method.Name == "Forward" && method.Parameters.Length == 3 && IsModel(method.ContainingType);

    /// <summary>Whether <paramref name="argument"/> is the input or output tensor of a model's <c>Forward</c> call.</summary>
    public bool IsForwardTensor(IArgumentOperation argument, out IInvocationOperation forward)
    {
        forward = (argument.Parent as IInvocationOperation)!;
        return forward is not null && argument.Parameter?.Ordinal is 0 or 1 && IsForward(forward.TargetMethod);
    }

    /// <summary>
    /// Whether <paramref name="method"/> is ModelGen's (the runtime's, or a generated model's): such calls use an
    /// instance during the call and never keep it.
    /// </summary>
    public bool IsModelGenMethod(IMethodSymbol method) =>
        SymbolEqualityComparer.Default.Equals(method.ContainingAssembly, _modelAttribute.ContainingAssembly)
        || IsModel(method.ContainingType);

    /// <summary>The name to show for the model a call goes to: the class, or the type argument of <c>IModel&lt;TSelf&gt;</c>.</summary>
    public string ModelName(IMethodSymbol method) =>
        SymbolEqualityComparer.Default.Equals(method.ContainingType.OriginalDefinition, _modelOfSelf)
            ? method.ContainingType.TypeArguments[0].Name
            : method.ContainingType.Name;

    private bool IsModel(INamedTypeSymbol type) =>
        type.GetAttributes().Any(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, _modelAttribute))
        || SymbolEqualityComparer.Default.Equals(type, _model)
        || SymbolEqualityComparer.Default.Equals(type.OriginalDefinition, _modelOfSelf);
}
