using System.Collections.Generic;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace ModelGen.Analyzers;

/// <summary>
/// Follows one local that holds a new owned instance through its method body (IOperation tree, intraprocedural): is it
/// disposed on every normal path, or handed to someone else? Anything the walk does not understand counts as handed
/// over, so the rule stays silent rather than guess.
/// </summary>
internal static class Ownership
{
    private enum Use
    {
        /// <summary>Read in place (a call on it, a property, a null check, a ModelGen runtime method).</summary>
        InPlace,

        /// <summary>Disposed here (Dispose(), ?.Dispose(), a using over it).</summary>
        Disposal,

        /// <summary>May leave the method or change owner: returned, stored, passed on, captured, or not understood.</summary>
        Escape,
    }

    /// <summary>The outermost operation that still carries <paramref name="operation"/>'s value (through conversions and ?: branches).</summary>
    public static IOperation SkipTransparentParents(IOperation operation)
    {
        while (operation.Parent is IConversionOperation or IParenthesizedOperation
            || operation.Parent is IConditionalOperation { Type: not null } conditional && conditional.Condition != operation)
        {
            operation = operation.Parent;
        }

        return operation;
    }

    /// <summary>
    /// Whether <paramref name="local"/>, assigned <paramref name="creation"/> in <paramref name="statement"/>, is disposed on
    /// every path that follows (a Dispose in a finally counts, a Dispose in one branch of an if does not) or may be owned
    /// by someone else afterwards. Exceptions thrown between creation and Dispose are not paths here: a <c>finally</c> or
    /// <c>using</c> for those is good practice, not something this rule demands.
    /// </summary>
    public static bool IsLocalDisposedOrTransferred(ILocalSymbol local, IOperation statement, IOperation creation, OwnedTypes owned,
        CancellationToken cancellationToken)
    {
        var root = statement;
        while (root.Parent is not null)
        {
            root = root.Parent;
        }

        var function = EnclosingFunction(statement);
        var disposals = new List<IOperation>();
        foreach (var operation in root.Descendants())
        {
            cancellationToken.ThrowIfCancellationRequested();
            switch (operation)
            {
                case IVariableDeclaratorOperation declarator when SymbolEqualityComparer.Default.Equals(declarator.Symbol, local):
                    // Declared holding something else, then assigned the creation: two instances, not followed.
                    if (declarator.Initializer?.Value is { } initial && !initial.Syntax.Span.Contains(creation.Syntax.Span) && !IsNull(initial))
                    {
                        return true;
                    }

                    break;

                case ILocalReferenceOperation reference when SymbolEqualityComparer.Default.Equals(reference.Local, local):
                    if (EnclosingFunction(reference) != function)
                    {
                        return true; // captured by a lambda or local function: it may run later, or dispose it itself
                    }

                    switch (Classify(reference, creation, owned, out var disposal))
                    {
                        case Use.Escape:
                            return true;
                        case Use.Disposal:
                            disposals.Add(disposal);
                            break;
                    }

                    break;
            }
        }

        foreach (var disposal in disposals)
        {
            if (AlwaysRunsAfter(disposal, statement, function))
            {
                return true;
            }
        }

        return false;
    }

    private static Use Classify(ILocalReferenceOperation reference, IOperation creation, OwnedTypes owned, out IOperation disposal)
    {
        disposal = reference;
        var value = SkipTransparentParents(reference);
        switch (value.Parent)
        {
            case ISimpleAssignmentOperation assignment when assignment.Target == value:
                // The creation's own assignment, or clearing the local (after Dispose, or a leak the paths will show).
                return assignment.Value.Syntax.Span.Contains(creation.Syntax.Span) || IsNull(assignment.Value) ? Use.InPlace : Use.Escape;

            case IInvocationOperation { TargetMethod: { Name: "Dispose", Parameters.IsEmpty: true } } dispose when dispose.Instance == value:
                disposal = dispose;
                return Use.Disposal;

            case IConditionalAccessOperation access when access.Operation == value:
                if (access.WhenNotNull is IInvocationOperation { TargetMethod: { Name: "Dispose", Parameters.IsEmpty: true }, Instance: IConditionalAccessInstanceOperation })
                {
                    disposal = access;
                    return Use.Disposal;
                }

                return Use.InPlace; // m?.Member(): the member sees the instance, not the local

            case IUsingOperation @using when @using.Resources == value:
                disposal = @using;
                return Use.Disposal;

            case IVariableInitializerOperation { Parent.Parent.Parent: IVariableDeclarationGroupOperation { Parent: IUsingDeclarationOperation or IUsingOperation } } initializer:
                disposal = initializer; // using var alias = m;
                return Use.Disposal;

            case IArgumentOperation { Parent: IInvocationOperation invocation, Parameter.RefKind: RefKind.None }
                when owned.IsRuntimeMethod(invocation.TargetMethod):
                return Use.InPlace; // model.ForwardInBatches(...): the runtime never keeps an argument

            case IInvocationOperation invocation when invocation.Instance == value:
            case IPropertyReferenceOperation property when property.Instance == value:
            case IFieldReferenceOperation field when field.Instance == value:
            case IBinaryOperation:
            case IIsPatternOperation:
            case IIsTypeOperation:
                return Use.InPlace;

            default:
                // Returned, yielded, stored, passed to a constructor or to other code (list.Add), method group, ...
                return Use.Escape;
        }
    }

    // Whether `disposal` runs on every normal path that leaves `statement` (where the creation is assigned).
    private static bool AlwaysRunsAfter(IOperation disposal, IOperation statement, IOperation? function)
    {
        var statementAncestors = new HashSet<IOperation>();
        for (var operation = statement; operation is not null; operation = operation.Parent)
        {
            statementAncestors.Add(operation);
        }

        var child = disposal;
        var parent = disposal.Parent;
        while (parent is not null && !statementAncestors.Contains(parent))
        {
            if (!AlwaysRunsChild(parent, child))
            {
                return false;
            }

            child = parent;
            parent = parent.Parent;
        }

        switch (parent)
        {
            case ITryOperation @try when child == @try.Finally:
                return true;

            case IBlockOperation block:
                var statementChild = statement;
                while (statementChild.Parent != block)
                {
                    statementChild = statementChild.Parent!;
                }

                return block.Operations.IndexOf(statementChild) < block.Operations.IndexOf(child)
                    && !HasExitBetween(block, statement, disposal, function);

            default:
                return false;
        }
    }

    // Whether `child` runs whenever `parent` runs (normal completion; exceptions aside).
    private static bool AlwaysRunsChild(IOperation parent, IOperation child) => parent switch
    {
        IBlockOperation or IExpressionStatementOperation => true,
        IVariableDeclaratorOperation or IVariableDeclarationOperation or IVariableDeclarationGroupOperation or IUsingDeclarationOperation => true,
        ITryOperation @try => child == @try.Body || child == @try.Finally,
        IUsingOperation @using => child == @using.Body,
        ILockOperation @lock => child == @lock.Body,
        _ => false,
    };

    // A return, break, continue or goto between the creation and the Dispose that skips the Dispose.
    private static bool HasExitBetween(IBlockOperation block, IOperation statement, IOperation disposal, IOperation? function)
    {
        var start = statement.Syntax.Span.End;
        var end = disposal.Syntax.SpanStart;
        foreach (var operation in block.Descendants())
        {
            var position = operation.Syntax.SpanStart;
            if (position < start || position >= end
                || operation is not (IReturnOperation { Kind: OperationKind.Return or OperationKind.YieldBreak } or IBranchOperation)
                || EnclosingFunction(operation) != function
                || operation is IBranchOperation { BranchKind: BranchKind.Break or BranchKind.Continue } && JumpsWithin(operation, block)
                || FinallyRuns(operation, disposal))
            {
                continue;
            }

            return true;
        }

        return false;
    }

    // break/continue of a loop or switch nested inside `block`: control stays in the block.
    private static bool JumpsWithin(IOperation branch, IBlockOperation block)
    {
        for (var operation = branch.Parent; operation is not null && operation != block; operation = operation.Parent)
        {
            if (operation is ILoopOperation or ISwitchOperation)
            {
                return true;
            }
        }

        return false;
    }

    // The exit leaves a try whose finally holds the Dispose.
    private static bool FinallyRuns(IOperation exit, IOperation disposal)
    {
        for (IOperation? child = exit, parent = exit.Parent; parent is not null; child = parent, parent = parent.Parent)
        {
            if (parent is ITryOperation { Finally: { } @finally } @try && child == @try.Body && @finally.Syntax.Span.Contains(disposal.Syntax.Span))
            {
                return true;
            }
        }

        return false;
    }

    private static IOperation? EnclosingFunction(IOperation operation)
    {
        for (var parent = operation.Parent; parent is not null; parent = parent.Parent)
        {
            if (parent is IAnonymousFunctionOperation or ILocalFunctionOperation)
            {
                return parent;
            }
        }

        return null;
    }

    private static bool IsNull(IOperation value) =>
        SkipConversions(value) is { ConstantValue: { HasValue: true, Value: null } } or IDefaultValueOperation;

    private static IOperation SkipConversions(IOperation value)
    {
        while (value is IConversionOperation conversion)
        {
            value = conversion.Operand;
        }

        return value;
    }
}
