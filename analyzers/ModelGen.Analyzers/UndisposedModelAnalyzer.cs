using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using ModelGen.Generators.Model;

namespace ModelGen.Analyzers;

/// <summary>
/// MG0006: a model (<c>M.Load(...)</c>) or a <c>new NativeBlock(...)</c> whose native memory is never freed: a local
/// not disposed on every path, a discarded result, or a field its type does not dispose. The analysis is
/// intraprocedural and conservative, in the spirit of CA2000: whenever the instance may leave the method (returned,
/// passed to a constructor or to non-ModelGen code, stored in another object, captured, yielded) it is not reported.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class UndisposedModelAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(DiagnosticDescriptors.UndisposedModel);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(static start =>
        {
            if (ModelGenSymbols.TryCreate(start.Compilation) is null || OwnedTypes.TryCreate(start.Compilation) is not { } owned)
            {
                return;
            }

            var disposedFields = new DisposedFields();
            start.RegisterOperationBlockStartAction(block =>
            {
                // Creations are collected during the driver's walk; bodies without one cost nothing more.
                var creations = new List<IOperation>();
                block.RegisterOperationAction(operation =>
                {
                    if (owned.IsCreation(operation.Operation))
                    {
                        lock (creations)
                        {
                            creations.Add(operation.Operation);
                        }
                    }
                }, OperationKind.Invocation, OperationKind.ObjectCreation);
                block.RegisterOperationBlockEndAction(end =>
                {
                    lock (creations)
                    {
                        foreach (var creation in creations)
                        {
                            Analyze(end, creation, owned, disposedFields);
                        }
                    }
                });
            });
        });
    }

    private static void Analyze(OperationBlockAnalysisContext context, IOperation creation, OwnedTypes owned, DisposedFields disposedFields)
    {
        var value = Ownership.SkipTransparentParents(creation);
        switch (value.Parent)
        {
            case IExpressionStatementOperation:
            case ISimpleAssignmentOperation { Target: IDiscardOperation } discard when discard.Value == value:
                Report(context, creation, UndisposedKind.Discarded, "the result is discarded, so it can never be disposed");
                break;

            case ISimpleAssignmentOperation { Target: ILocalReferenceOperation local, Parent: IExpressionStatementOperation statement } assignment
                when assignment.Value == value:
                AnalyzeLocal(context, creation, local.Local, statement, owned);
                break;

            case ISimpleAssignmentOperation { Target: IFieldReferenceOperation field } assignment
                when assignment.Value == value
                    && field.Instance is IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance }:
                AnalyzeField(context, creation, field.Field, owned, disposedFields);
                break;

            case IFieldInitializerOperation { InitializedFields.Length: 1 } initializer:
                AnalyzeField(context, creation, initializer.InitializedFields[0], owned, disposedFields);
                break;

            case IVariableInitializerOperation
            {
                Parent: IVariableDeclaratorOperation declarator,
            } when declarator.Parent?.Parent is IVariableDeclarationGroupOperation { Parent: IBlockOperation } group:
                // using declarations and using statements have a using operation as the group's parent instead.
                AnalyzeLocal(context, creation, declarator.Symbol, group, owned);
                break;

            default:
                // Returned, yielded, an argument, stored in another object, in a collection, a using resource,
                // or a shape the analysis does not follow: not reported.
                break;
        }
    }

    private static void AnalyzeLocal(OperationBlockAnalysisContext context, IOperation creation, ILocalSymbol local, IOperation statement,
        OwnedTypes owned)
    {
        if (Ownership.IsLocalDisposedOrTransferred(local, statement, creation, owned, context.CancellationToken))
        {
            return;
        }

        Report(context, creation, UndisposedKind.Local,
            $"local '{local.Name}' is not disposed on every path: declare it with 'using', or dispose it in a finally block");
    }

    private static void AnalyzeField(OperationBlockAnalysisContext context, IOperation creation, IFieldSymbol field,
        OwnedTypes owned, DisposedFields disposedFields)
    {
        // A static field lives as long as the process (a cached model): its memory is not leaked per instance.
        if (field.IsStatic || field.ContainingType is not { } owner || owner.Locations.IsEmpty || !owner.Locations[0].IsInSource)
        {
            return;
        }

        var disposable = owned.IsDisposable(owner);
        var disposes = disposedFields.Of(owner, context.CancellationToken);
        if (disposes.HasDisposeMethod && disposes.Names.Contains(field.Name))
        {
            return;
        }

        var tail = disposable || disposes.HasDisposeMethod
            ? $"it is stored in field '{owner.Name}.{field.Name}', which '{owner.Name}' never disposes in its Dispose method"
            : $"it is stored in field '{owner.Name}.{field.Name}' and '{owner.Name}' is not IDisposable";
        Report(context, creation, UndisposedKind.Field, tail, field.Name);
    }

    private static void Report(OperationBlockAnalysisContext context, IOperation creation, string kind, string consequence, string? field = null)
    {
        var (type, creator) = creation switch
        {
            // T.Load through IModel<T> binds to the interface method: name the type parameter, as written.
            IInvocationOperation invocation => (invocation.Type,
                $"{(invocation.ConstrainedToType ?? invocation.TargetMethod.ContainingType).Name}.{invocation.TargetMethod.Name}"),
            _ => (creation.Type, $"new {creation.Type?.Name}"),
        };
        var properties = ImmutableDictionary<string, string?>.Empty.Add(DiagnosticProperties.UndisposedKind, kind);
        if (field is not null)
        {
            properties = properties.Add(DiagnosticProperties.UndisposedField, field);
        }

        context.ReportDiagnostic(Diagnostic.Create(
            DiagnosticDescriptors.UndisposedModel,
            creation.Syntax.GetLocation(),
            properties,
            type?.Name,
            creator,
            consequence));
    }
}
