using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace ModelGen.Analyzers;

/// <summary>
/// MG0007: work that belongs before a loop found in its body (not in a lambda or local function defined there): a
/// model's <c>Load</c>, <c>new NativeBlock(...)</c>, and a managed array created for a model's <c>Forward</c> (passed as
/// its input or output directly, or through a local the loop uses only as a buffer). The code fix moves the declaration
/// before the loop when nothing in the creation changes between iterations.
/// </summary>
/// <remarks>
/// A creation that uses a local declared or assigned inside the loop (the loop variable, a per-iteration batch size)
/// cannot move as is: an array or block is still reported, without the fix (allocate the largest size once and slice
/// it); a <c>Load</c> is not reported, since loading a different file on each iteration is what such a loop is for.
/// An array that leaves the loop's buffer uses (stored, returned, passed on as an array) is not reported: each
/// iteration may need its own.
/// </remarks>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class HotLoopAllocationAnalyzer : DiagnosticAnalyzer
{
    private const string ReuseModel = "load the model once before the loop and reuse it",
        ReuseBuffer = "allocate it once before the loop and reuse it",
        SliceBuffer = "allocate the largest size once before the loop and use slices of it";

    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(DiagnosticDescriptors.HotLoopAllocation);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(static start =>
        {
            if (ModelCallSymbols.TryCreate(start.Compilation) is not { } symbols)
            {
                return;
            }

            start.RegisterOperationAction(c => AnalyzeLoad(c, symbols), OperationKind.Invocation);
            start.RegisterOperationAction(c => AnalyzeNativeBlock(c, symbols), OperationKind.ObjectCreation);
            start.RegisterOperationAction(c => AnalyzeArray(c, symbols), OperationKind.ArrayCreation, OperationKind.CollectionExpression);
        });
    }

    private static void AnalyzeLoad(OperationAnalysisContext context, ModelCallSymbols symbols)
    {
        var invocation = (IInvocationOperation)context.Operation;
        if (symbols.IsLoad(invocation.TargetMethod) && LoopAround(invocation) is { } loop && !LoopInvariance.Varies(invocation, loop)
            && !OutlivesIteration(invocation, loop, symbols))
        {
            Report(context, invocation, loop, $"'{symbols.ModelName(invocation.TargetMethod)}.Load'", ReuseModel, hoistable: true, clear: false);
        }
    }

    private static void AnalyzeNativeBlock(OperationAnalysisContext context, ModelCallSymbols symbols)
    {
        var creation = (IObjectCreationOperation)context.Operation;
        if (symbols.NativeBlock is not null && SymbolEqualityComparer.Default.Equals(creation.Type, symbols.NativeBlock)
            && LoopAround(creation) is { } loop && !OutlivesIteration(creation, loop, symbols))
        {
            var hoistable = !LoopInvariance.Varies(creation, loop);
            Report(context, creation, loop, "'new NativeBlock(...)'", hoistable ? ReuseBuffer : SliceBuffer, hoistable, clear: false);
        }
    }

    private static void AnalyzeArray(OperationAnalysisContext context, ModelCallSymbols symbols)
    {
        var creation = context.Operation;
        if (creation.Type is not IArrayTypeSymbol array || LoopAround(creation) is not { } loop
            || ForwardFedBy(creation, loop, symbols) is not { } use)
        {
            return;
        }

        var hoistable = !LoopInvariance.Varies(creation, loop);
        var what = $"'new {array.ElementType.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat)}[]' passed to '{symbols.ModelName(use.Forward.TargetMethod)}.Forward'";
        Report(context, creation, loop, what, hoistable ? ReuseBuffer : SliceBuffer, hoistable, use.WrittenByLoop);
    }

    // Whether the instance is kept past its iteration (stored in an array element, a field or a property, or handed to
    // a method, e.g. a collection's Add): then each iteration needs its own, and there is nothing to hoist.
    private static bool OutlivesIteration(IOperation creation, ILoopOperation loop, ModelCallSymbols symbols)
    {
        var value = SkipConversionsUp(creation);
        if (value.Parent is ISimpleAssignmentOperation { Target: not ILocalReferenceOperation } assignment && assignment.Value == value
            || value.Parent is IArgumentOperation)
        {
            return true;
        }

        if (value.Parent is not IVariableInitializerOperation { Parent: IVariableDeclaratorOperation declarator })
        {
            return false;
        }

        foreach (var reference in loop.Body.Descendants().OfType<ILocalReferenceOperation>())
        {
            if (!SymbolEqualityComparer.Default.Equals(reference.Local, declarator.Symbol))
            {
                continue;
            }

            var use = SkipConversionsUp(reference);
            if (use.Parent is ISimpleAssignmentOperation stored && stored.Value == use
                || use.Parent is IArgumentOperation { Parent: IInvocationOperation call } && !symbols.IsModelGenMethod(call.TargetMethod))
            {
                return true;
            }
        }

        return false;
    }

    // The Forward call the array is a tensor of, directly or through a local used only as a buffer; null otherwise.
    private static (IInvocationOperation Forward, bool WrittenByLoop)? ForwardFedBy(IOperation creation, ILoopOperation loop, ModelCallSymbols symbols)
    {
        var value = SkipConversionsUp(creation);
        if (value.Parent is IArgumentOperation argument && symbols.IsForwardTensor(argument, out var direct))
        {
            return (direct, false);
        }

        if (value.Parent is not IVariableInitializerOperation { Parent: IVariableDeclaratorOperation declarator })
        {
            return null;
        }

        IInvocationOperation? forward = null;
        var written = false;
        foreach (var reference in loop.Body.Descendants().OfType<ILocalReferenceOperation>())
        {
            if (!SymbolEqualityComparer.Default.Equals(reference.Local, declarator.Symbol))
            {
                continue;
            }

            switch (BufferUse(reference, symbols, out var call))
            {
                case Use.ForwardInput:
                    forward ??= call;
                    break;
                case Use.ForwardOutput:
                    // Forward checks that output holds exactly batch x OutputFeatures and writes all of it.
                    forward ??= call;
                    break;
                case Use.Read:
                    break;
                case Use.Write:
                    written = true;
                    break;
                default:
                    return null;
            }
        }

        return forward is null ? null : (forward, written);
    }

    private enum Use { Escapes, Read, Write, ForwardInput, ForwardOutput }

    // How the loop uses one reference to the array local: as a tensor of Forward, an element or span it reads or writes
    // (spans cannot outlive the iteration), or something else (stored, returned, passed on as an array).
    private static Use BufferUse(ILocalReferenceOperation reference, ModelCallSymbols symbols, out IInvocationOperation? forward)
    {
        forward = null;
        var value = SkipConversionsUp(reference);
        if (value.Parent is IArgumentOperation argument && symbols.IsForwardTensor(argument, out var call))
        {
            forward = call;
            return argument.Parameter!.Ordinal == 0 ? Use.ForwardInput : Use.ForwardOutput;
        }

        if (value != reference)
        {
            // A conversion to a span: read-only ones only read.
            return IsSpan(value.Type, readOnly: true) ? Use.Read : IsSpan(value.Type, readOnly: false) ? Use.Write : Use.Escapes;
        }

        return reference.Parent switch
        {
            IArrayElementReferenceOperation element when element.ArrayReference == reference => IsWritten(element) ? Use.Write : Use.Read,
            IPropertyReferenceOperation { Property.Name: "Length" or "LongLength" } => Use.Read,
            IArgumentOperation { Parent: IInvocationOperation { TargetMethod.Name: "AsSpan" } invocation } when IsSpan(invocation.Type, readOnly: false) => Use.Write,
            _ => Use.Escapes,
        };
    }

    private static bool IsWritten(IOperation target) => target.Parent switch
    {
        ISimpleAssignmentOperation assignment => assignment.Target == target,
        ICompoundAssignmentOperation compound => compound.Target == target,
        IIncrementOrDecrementOperation => true,
        IArgumentOperation argument => argument.Parameter?.RefKind is RefKind.Ref or RefKind.Out,
        _ => false,
    };

    private static bool IsSpan(ITypeSymbol? type, bool readOnly) =>
        type is INamedTypeSymbol { IsGenericType: true, ContainingNamespace.Name: "System" } named
        && named.Name == (readOnly ? "ReadOnlySpan" : "Span");

    private static IOperation SkipConversionsUp(IOperation operation)
    {
        while (operation.Parent is IConversionOperation conversion)
        {
            operation = conversion;
        }

        return operation;
    }

    // The innermost loop whose body holds the operation, unless a lambda or local function comes first (it may run once).
    private static ILoopOperation? LoopAround(IOperation operation)
    {
        for (var current = operation; current.Parent is { } parent; current = parent)
        {
            if (parent is IAnonymousFunctionOperation or ILocalFunctionOperation)
            {
                return null;
            }

            if (parent is ILoopOperation loop && loop.Body == current)
            {
                return loop;
            }
        }

        return null;
    }

    private static void Report(OperationAnalysisContext context, IOperation creation, ILoopOperation loop, string what, string advice, bool hoistable, bool clear)
    {
        var properties = ImmutableDictionary<string, string?>.Empty
            .Add(DiagnosticProperties.Hoistable, hoistable ? "true" : "false")
            .Add(DiagnosticProperties.ClearAfterHoist, clear ? "true" : "false");
        context.ReportDiagnostic(Diagnostic.Create(
            DiagnosticDescriptors.HotLoopAllocation, creation.Syntax.GetLocation(), properties, what, LoopKindName(loop), advice));
    }

    private static string LoopKindName(ILoopOperation loop) => loop switch
    {
        IForEachLoopOperation => "foreach",
        IWhileLoopOperation { ConditionIsTop: false } => "do-while",
        IWhileLoopOperation => "while",
        _ => "for",
    };
}
