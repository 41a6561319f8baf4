using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace ModelGen.Analyzers;

/// <summary>
/// Which fields a type's Dispose methods dispose, read from their source (and the type's own methods they call), once
/// per type and compilation. Syntax, not operations: the bodies belong to other operation blocks, and an analyzer may
/// not ask the compilation for their semantic models. Matching by name errs on the side of "disposed".
/// </summary>
internal sealed class DisposedFields
{
    private static readonly ImmutableHashSet<string> s_disposeMethods =
        ImmutableHashSet.Create("Dispose", "DisposeAsync", "DisposeCore", "DisposeAsyncCore");

    private static readonly ImmutableHashSet<string> s_releaseCalls = ImmutableHashSet.Create("Dispose", "DisposeAsync", "Close");

    private readonly ConcurrentDictionary<INamedTypeSymbol, TypeDisposal> _cache = new(SymbolEqualityComparer.Default);

    /// <summary>What <paramref name="type"/>'s own Dispose methods dispose.</summary>
    public TypeDisposal Of(INamedTypeSymbol type, CancellationToken cancellationToken) =>
        _cache.GetOrAdd(type, t => Read(t, cancellationToken));

    private static TypeDisposal Read(INamedTypeSymbol type, CancellationToken cancellationToken)
    {
        var names = ImmutableHashSet.CreateBuilder<string>();
        var visited = new HashSet<string>();
        var pending = new Queue<string>();
        var hasDisposeMethod = false;
        foreach (var member in type.GetMembers())
        {
            if (member is IMethodSymbol { MethodKind: MethodKind.Ordinary or MethodKind.ExplicitInterfaceImplementation } method
                && s_disposeMethods.Contains(SimpleName(method)))
            {
                hasDisposeMethod = true;
                if (visited.Add(method.Name))
                {
                    pending.Enqueue(method.Name);
                }
            }
        }

        // The Dispose methods, then every method of the type they call (Dispose() => Cleanup()), by name.
        while (pending.Count > 0)
        {
            foreach (var member in type.GetMembers(pending.Dequeue()))
            {
                foreach (var reference in member.DeclaringSyntaxReferences)
                {
                    foreach (var node in reference.GetSyntax(cancellationToken).DescendantNodes())
                    {
                        Collect(node, names, calls: out var callee);
                        if (callee is not null && visited.Add(callee))
                        {
                            pending.Enqueue(callee);
                        }
                    }
                }
            }
        }

        return new TypeDisposal(hasDisposeMethod, names.ToImmutable());
    }

    // One syntax node of a Dispose body: `_f.Dispose()`, `this._f?.Dispose()`, `Helper(_f)`, `using (_f)`.
    private static void Collect(SyntaxNode node, ImmutableHashSet<string>.Builder names, out string? calls)
    {
        calls = null;
        switch (node)
        {
            case InvocationExpressionSyntax invocation:
                if (invocation.Expression is MemberAccessExpressionSyntax { Name.Identifier.ValueText: var release } access
                    && s_releaseCalls.Contains(release))
                {
                    Add(names, access.Expression);
                }

                foreach (var argument in invocation.ArgumentList.Arguments)
                {
                    Add(names, argument.Expression);
                }

                calls = invocation.Expression switch
                {
                    IdentifierNameSyntax name => name.Identifier.ValueText,
                    MemberAccessExpressionSyntax { Expression: ThisExpressionSyntax, Name: var name } => name.Identifier.ValueText,
                    _ => null,
                };
                break;

            case ConditionalAccessExpressionSyntax
            {
                WhenNotNull: InvocationExpressionSyntax { Expression: MemberBindingExpressionSyntax { Name.Identifier.ValueText: var bound } },
            } conditional when s_releaseCalls.Contains(bound):
                Add(names, conditional.Expression);
                break;

            case UsingStatementSyntax { Expression: { } resource }:
                Add(names, resource);
                break;
        }
    }

    private static void Add(ImmutableHashSet<string>.Builder names, ExpressionSyntax expression)
    {
        while (true)
        {
            switch (expression)
            {
                case ParenthesizedExpressionSyntax parenthesized:
                    expression = parenthesized.Expression;
                    continue;
                case CastExpressionSyntax cast:
                    expression = cast.Expression;
                    continue;
                case BinaryExpressionSyntax binary when binary.IsKind(SyntaxKind.AsExpression):
                    expression = binary.Left;
                    continue;
                case PostfixUnaryExpressionSyntax suppressed when suppressed.IsKind(SyntaxKind.SuppressNullableWarningExpression):
                    expression = suppressed.Operand;
                    continue;
                case MemberAccessExpressionSyntax { Expression: ThisExpressionSyntax } member:
                    names.Add(member.Name.Identifier.ValueText);
                    return;
                case IdentifierNameSyntax identifier:
                    names.Add(identifier.Identifier.ValueText);
                    return;
                default:
                    return;
            }
        }
    }

    // "Dispose" for both Dispose() and System.IDisposable.Dispose().
    private static string SimpleName(IMethodSymbol method) =>
        method.ExplicitInterfaceImplementations.IsEmpty ? method.Name : method.ExplicitInterfaceImplementations[0].Name;
}

/// <summary>The Dispose methods a type declares and the fields they dispose.</summary>
/// <param name="HasDisposeMethod">Whether the type declares Dispose, DisposeAsync, DisposeCore or DisposeAsyncCore.</param>
/// <param name="Names">Names of the fields those methods (and the type's methods they call) dispose.</param>
internal sealed record TypeDisposal(bool HasDisposeMethod, ImmutableHashSet<string> Names);
