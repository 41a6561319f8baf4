using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace ModelGen.Analyzers;

/// <summary>Whether an expression inside a loop can give a different result on another iteration.</summary>
internal static class LoopInvariance
{
    /// <summary>
    /// True when <paramref name="expression"/> reads a local or parameter that is declared inside <paramref name="loop"/>
    /// (its iteration variable included) or assigned anywhere in it. Calls and fields are taken as they are: moving the
    /// expression before the loop evaluates them once.
    /// </summary>
    public static bool Varies(IOperation expression, ILoopOperation loop)
    {
        var loopSpan = loop.Syntax.Span;
        foreach (var read in expression.DescendantsAndSelf())
        {
            var symbol = read switch
            {
                ILocalReferenceOperation local => (ISymbol)local.Local,
                IParameterReferenceOperation parameter => parameter.Parameter,
                _ => null,
            };
            if (symbol is null)
            {
                continue;
            }

            if (symbol.DeclaringSyntaxReferences.Any(r => r.SyntaxTree == loop.Syntax.SyntaxTree && loopSpan.Contains(r.Span))
                || IsAssignedIn(loop, symbol))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsAssignedIn(ILoopOperation loop, ISymbol symbol) =>
        loop.Descendants().Any(operation => operation switch
        {
            IAssignmentOperation assignment => Names(assignment.Target, symbol),
            IIncrementOrDecrementOperation increment => Names(increment.Target, symbol),
            IArgumentOperation argument => argument.Parameter?.RefKind is RefKind.Ref or RefKind.Out && Names(argument.Value, symbol),
            _ => false,
        });

    private static bool Names(IOperation target, ISymbol symbol) => target switch
    {
        ILocalReferenceOperation local => SymbolEqualityComparer.Default.Equals(local.Local, symbol),
        IParameterReferenceOperation parameter => SymbolEqualityComparer.Default.Equals(parameter.Parameter, symbol),
        IDeclarationExpressionOperation or ITupleOperation => target.Descendants().Any(d => Names(d, symbol)),
        _ => false,
    };
}
