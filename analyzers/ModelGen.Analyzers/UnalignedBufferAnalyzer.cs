using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace ModelGen.Analyzers;

/// <summary>
/// MG0008: memory from <c>NativeMemory.Alloc</c>, <c>NativeMemory.AllocZeroed</c> or <c>Marshal.AllocHGlobal</c>
/// (malloc alignment, 16 bytes on 64-bit systems) that reaches, within the method, a tensor argument of a model's
/// <c>Forward</c> or of a <c>DenseKernels</c> call: as a pointer (through locals, casts and pointer arithmetic), as a
/// span made from it (<c>new Span&lt;float&gt;(p, n)</c>, sliced or not). Reported once per allocation call.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class UnalignedBufferAnalyzer : DiagnosticAnalyzer
{
    // Deep enough for alias chains written by hand; a bound on pathological code.
    private const int MaxTraceDepth = 16;

    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(DiagnosticDescriptors.UnalignedBuffer);

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

            start.RegisterOperationBlockStartAction(block =>
            {
                // One diagnostic per allocation, however many tensors it backs: the first sink found names the call.
                var found = new Dictionary<IInvocationOperation, string>();
                block.RegisterOperationAction(c => FindUnalignedTensors(c, symbols, found), OperationKind.Invocation);
                block.RegisterOperationBlockEndAction(end =>
                {
                    lock (found)
                    {
                        foreach (var pair in found.OrderBy(p => p.Key.Syntax.SpanStart))
                        {
                            var method = pair.Key.TargetMethod;
                            end.ReportDiagnostic(Diagnostic.Create(
                                DiagnosticDescriptors.UnalignedBuffer, pair.Key.Syntax.GetLocation(), $"{method.ContainingType.Name}.{method.Name}", pair.Value));
                        }
                    }
                });
            });
        });
    }

    private static void FindUnalignedTensors(OperationAnalysisContext context, ModelCallSymbols symbols, Dictionary<IInvocationOperation, string> found)
    {
        var call = (IInvocationOperation)context.Operation;
        var method = call.TargetMethod;
        string sink;
        IEnumerable<IArgumentOperation> tensors;
        if (symbols.IsForward(method))
        {
            sink = $"{symbols.ModelName(method)}.Forward";
            tensors = call.Arguments.Where(a => a.Parameter?.Ordinal is 0 or 1);
        }
        else if (symbols.DenseKernels is not null && SymbolEqualityComparer.Default.Equals(method.ContainingType, symbols.DenseKernels))
        {
            sink = $"DenseKernels.{method.Name}";
            tensors = call.Arguments.Where(a => a.Parameter?.Type is INamedTypeSymbol { Name: "Span" or "ReadOnlySpan" });
        }
        else
        {
            return;
        }

        IOperation top = call;
        while (top.Parent is { } parent)
        {
            top = parent;
        }

        var allocations = new List<IInvocationOperation>();
        foreach (var tensor in tensors)
        {
            Trace(tensor.Value, top, allocations, new HashSet<ILocalSymbol>(SymbolEqualityComparer.Default), 0);
        }

        lock (found)
        {
            foreach (var allocation in allocations.Where(a => !found.ContainsKey(a)))
            {
                found.Add(allocation, sink);
            }
        }
    }

    // Follows a tensor value back to the allocation calls it may come from.
    private static void Trace(IOperation value, IOperation body, List<IInvocationOperation> allocations, HashSet<ILocalSymbol> visited, int depth)
    {
        if (depth > MaxTraceDepth)
        {
            return;
        }

        switch (value)
        {
            case IConversionOperation conversion:
                Trace(conversion.Operand, body, allocations, visited, depth + 1);
                break;
            case IInvocationOperation invocation when IsUnalignedAllocation(invocation.TargetMethod):
                allocations.Add(invocation);
                break;
            case IInvocationOperation { Instance: { } instance, TargetMethod.Name: "Slice" or "ToPointer" }:
                Trace(instance, body, allocations, visited, depth + 1);
                break;
            case IObjectCreationOperation { Type: INamedTypeSymbol { Name: "Span" or "ReadOnlySpan" } } creation:
                foreach (var argument in creation.Arguments.Where(a => a.Value.Type is IPointerTypeSymbol))
                {
                    Trace(argument.Value, body, allocations, visited, depth + 1);
                }

                break;
            case IBinaryOperation { Type: IPointerTypeSymbol } arithmetic:
                Trace(arithmetic.LeftOperand, body, allocations, visited, depth + 1);
                Trace(arithmetic.RightOperand, body, allocations, visited, depth + 1);
                break;
            case ILocalReferenceOperation local when visited.Add(local.Local):
                foreach (var assigned in ValuesOf(local.Local, body))
                {
                    Trace(assigned, body, allocations, visited, depth + 1);
                }

                break;
        }
    }

    // Every value the method stores in the local: its initializer and plain assignments.
    private static IEnumerable<IOperation> ValuesOf(ILocalSymbol local, IOperation body)
    {
        foreach (var operation in body.Descendants())
        {
            switch (operation)
            {
                case IVariableDeclaratorOperation { Initializer: { } initializer } declarator
                    when SymbolEqualityComparer.Default.Equals(declarator.Symbol, local):
                    yield return initializer.Value;
                    break;
                case ISimpleAssignmentOperation { Target: ILocalReferenceOperation target } assignment
                    when SymbolEqualityComparer.Default.Equals(target.Local, local):
                    yield return assignment.Value;
                    break;
            }
        }
    }

    private static bool IsUnalignedAllocation(IMethodSymbol method) =>
        method.ContainingType is { ContainingNamespace: { Name: "InteropServices", ContainingNamespace: { Name: "Runtime", ContainingNamespace.Name: "System" } } } type
        && ((type.Name == "NativeMemory" && method.Name is "Alloc" or "AllocZeroed") || (type.Name == "Marshal" && method.Name == "AllocHGlobal"));
}
