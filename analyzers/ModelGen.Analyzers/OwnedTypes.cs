using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace ModelGen.Analyzers;

/// <summary>
/// The runtime types whose instances own native memory (every <c>ModelGen.IModel</c> and <c>ModelGen.NativeBlock</c>),
/// and which operations create a new one, resolved once per compilation.
/// </summary>
internal sealed class OwnedTypes
{
    private OwnedTypes(INamedTypeSymbol model, INamedTypeSymbol nativeBlock, INamedTypeSymbol disposable, INamedTypeSymbol? parallelForward)
    {
        Model = model;
        NativeBlock = nativeBlock;
        Disposable = disposable;
        ParallelForward = parallelForward;
    }

    /// <summary><c>ModelGen.IModel</c>, implemented by every generated model.</summary>
    public INamedTypeSymbol Model { get; }

    /// <summary><c>ModelGen.NativeBlock</c>.</summary>
    public INamedTypeSymbol NativeBlock { get; }

    /// <summary><c>System.IDisposable</c>.</summary>
    public INamedTypeSymbol Disposable { get; }

    /// <summary><c>ModelGen.ParallelForward</c> (its workers and threads), when the runtime has it.</summary>
    public INamedTypeSymbol? ParallelForward { get; }

    /// <summary>Resolves the types, or returns null when the compilation lacks one of them.</summary>
    public static OwnedTypes? TryCreate(Compilation compilation) =>
        compilation.GetTypeByMetadataName("ModelGen.IModel") is { } model
        && compilation.GetTypeByMetadataName("ModelGen.NativeBlock") is { } block
        && compilation.GetSpecialType(SpecialType.System_IDisposable) is { TypeKind: not TypeKind.Error } disposable
            ? new OwnedTypes(model, block, disposable, compilation.GetTypeByMetadataName("ModelGen.ParallelForward"))
            : null;

    /// <summary>
    /// Whether <paramref name="operation"/> makes a new owned instance: a static <c>Load</c> returning a model
    /// (generated <c>M.Load(path)</c>, or <c>T.Load</c> through <c>IModel&lt;T&gt;</c>), a model's <c>CreateWorker()</c>
    /// (a new activation block and a share of the weights), or <c>new</c> of an owned type.
    /// Any other call returning a model (a getter, a factory) is not a creation: the analysis cannot know who owns it.
    /// </summary>
    public bool IsCreation(IOperation operation) => operation switch
    {
        IInvocationOperation { TargetMethod: { IsStatic: true, Name: "Load" } method } => IsOwned(method.ReturnType),
        IInvocationOperation { TargetMethod: { IsStatic: false, Name: "CreateWorker", Parameters.Length: 0 } method } => IsOwned(method.ReturnType),
        IObjectCreationOperation { Type: { } type } => IsOwned(type),
        _ => false,
    };

    /// <summary>Whether <paramref name="method"/> belongs to the runtime, whose methods never take ownership of an argument.</summary>
    public bool IsRuntimeMethod(IMethodSymbol method) =>
        SymbolEqualityComparer.Default.Equals(method.ContainingAssembly, Model.ContainingAssembly);

    /// <summary>Whether <paramref name="type"/> implements IDisposable.</summary>
    public bool IsDisposable(ITypeSymbol type) =>
        SymbolEqualityComparer.Default.Equals(type, Disposable) || type.AllInterfaces.Contains(Disposable, SymbolEqualityComparer.Default);

    private bool IsOwned(ITypeSymbol type) => type switch
    {
        ITypeParameterSymbol parameter => parameter.ConstraintTypes.Any(IsOwned),
        _ => SymbolEqualityComparer.Default.Equals(type, NativeBlock)
            || SymbolEqualityComparer.Default.Equals(type, ParallelForward)
            || SymbolEqualityComparer.Default.Equals(type, Model)
            || type.AllInterfaces.Contains(Model, SymbolEqualityComparer.Default),
    };
}
