using Microsoft.CodeAnalysis;
using ModelGen.Generators.Model;

namespace ModelGen.Analyzers;

/// <summary>The descriptors of every ModelGen diagnostic.</summary>
internal static class DiagnosticDescriptors
{
    private const string Category = "ModelGen.Definition";

    /// <summary>MG0001.</summary>
    public static readonly DiagnosticDescriptor LayerShapeMismatch = new(
        RuleIdentifiers.LayerShapeMismatch,
        title: "Layer shapes do not chain",
        messageFormat: "Layer '{0}' takes {1} inputs but the previous layer '{2}' produces {3} (Dense({4}, {5}) -> Dense({6}, {7}))",
        Category,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "The layers of a model run in declaration order, each consuming the previous layer's output, so each layer's InFeatures must equal the previous layer's OutFeatures.",
        helpLinkUri: RuleIdentifiers.HelpLink(RuleIdentifiers.LayerShapeMismatch));

    /// <summary>MG0002.</summary>
    public static readonly DiagnosticDescriptor AttributeValueOutOfRange = new(
        RuleIdentifiers.AttributeValueOutOfRange,
        title: "Model attribute value out of range",
        messageFormat: "{0}",
        Category,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "Layer widths, MaxBatch, MemoryBudget, Activation, Precision, Name, GroupSize, Sparsity, KeepOutputs and the scheme enums must be values ModelGen can plan for, and the weight and activation blocks they imply must fit in 2 GiB.",
        helpLinkUri: RuleIdentifiers.HelpLink(RuleIdentifiers.AttributeValueOutOfRange));

    /// <summary>MG0003.</summary>
    public static readonly DiagnosticDescriptor InvalidModelDeclaration = new(
        RuleIdentifiers.InvalidModelDeclaration,
        title: "Invalid model declaration",
        messageFormat: "{0}",
        Category,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "A model is a partial, non-generic, non-static class (nested only in partial, non-generic types) with at least one partial, get-only, instance DenseLayer property marked [Dense], each with its own tensor name.",
        helpLinkUri: RuleIdentifiers.HelpLink(RuleIdentifiers.InvalidModelDeclaration));

    /// <summary>MG0004.</summary>
    public static readonly DiagnosticDescriptor MemoryBudgetExceeded = new(
        RuleIdentifiers.MemoryBudgetExceeded,
        title: "Model exceeds its memory budget",
        messageFormat: "'{0}' needs {1} bytes at MaxBatch {2} (weight block {3} + activation block {4}) but its memory budget is {5} ({6} bytes): {7}",
        "ModelGen.Memory",
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "The native memory one model instance allocates (its weight block plus its activation block planned for MaxBatch) must fit the model's MemoryBudget, or the project's default budget.",
        helpLinkUri: RuleIdentifiers.HelpLink(RuleIdentifiers.MemoryBudgetExceeded));

    /// <summary>MG0005.</summary>
    public static readonly DiagnosticDescriptor OversizedBatch = new(
        RuleIdentifiers.OversizedBatch,
        title: "Batch above the model's MaxBatch",
        messageFormat: "'{0}.Forward' is called with batch {1} but the model's MaxBatch is {2}: the call throws at run time; use ForwardInBatches to run micro-batches, or raise MaxBatch",
        "ModelGen.Memory",
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "A model's activation block is planned for MaxBatch samples, and Forward rejects larger batches. A batch the compiler can compute is checked at build time.",
        helpLinkUri: RuleIdentifiers.HelpLink(RuleIdentifiers.OversizedBatch));

    /// <summary>MG0006.</summary>
    public static readonly DiagnosticDescriptor UndisposedModel = new(
        RuleIdentifiers.UndisposedModel,
        title: "Model or native buffer not disposed",
        messageFormat: "The '{0}' created by '{1}' owns native memory, but {2}",
        "ModelGen.Memory",
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "Models and NativeBlocks hold native memory the garbage collector does not see; only Dispose frees it promptly (the finalizer is a late safety net). Every instance a method creates must be disposed on every path, or handed to an owner that disposes it.",
        helpLinkUri: RuleIdentifiers.HelpLink(RuleIdentifiers.UndisposedModel));

    /// <summary>MG0007.</summary>
    public static readonly DiagnosticDescriptor HotLoopAllocation = new(
        RuleIdentifiers.HotLoopAllocation,
        title: "Model load or tensor allocation inside a loop",
        messageFormat: "{0} inside a {1} loop runs on every iteration: {2}",
        "ModelGen.Performance",
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "Load reads, validates and packs the whole weight file into a new native block; a NativeBlock or a managed buffer for Forward is a fresh allocation (zeroed, and garbage for the GC). Inside a loop they repeat on every iteration although one instance, created before the loop, serves them all.",
        helpLinkUri: RuleIdentifiers.HelpLink(RuleIdentifiers.HotLoopAllocation));

    /// <summary>MG0008.</summary>
    public static readonly DiagnosticDescriptor UnalignedBuffer = new(
        RuleIdentifiers.UnalignedBuffer,
        title: "Native buffer for ModelGen is not 64-byte aligned",
        messageFormat: "Memory from '{0}' is not 64-byte aligned but backs a tensor passed to '{1}': allocate it with NativeMemory.AlignedAlloc(size, 64) and free it with NativeMemory.AlignedFree, or use a ModelGen.NativeBlock",
        "ModelGen.Performance",
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "NativeMemory.Alloc, AllocZeroed and Marshal.AllocHGlobal guarantee only the platform's malloc alignment (16 bytes on 64-bit systems). ModelGen's kernels read tensors in 32-byte vectors: from a 16-byte-aligned start every other vector straddles two 64-byte cache lines and costs two loads.",
        helpLinkUri: RuleIdentifiers.HelpLink(RuleIdentifiers.UnalignedBuffer));

    /// <summary>MG0009.</summary>
    public static readonly DiagnosticDescriptor PaddingWaste = new(
        RuleIdentifiers.PaddingWaste,
        title: "Layer width wastes vector lanes",
        messageFormat: "Layer '{0}' reads rows of {1} inputs in {2}-lane {3} vectors: {4} of the lanes of each row's last vector are padding",
        "ModelGen.Performance",
        DiagnosticSeverity.Info,
        isEnabledByDefault: true,
        description: "Kernels walk each weight row in 256-bit vectors (8 lanes for float precisions, 32 for int8). A width that is not a multiple of the lane count leaves the last vector of every row partly empty; for narrow layers that is a large share of the work.",
        helpLinkUri: RuleIdentifiers.HelpLink(RuleIdentifiers.PaddingWaste));

    /// <summary>MG0010.</summary>
    public static readonly DiagnosticDescriptor AotWithoutAvx2 = new(
        RuleIdentifiers.AotWithoutAvx2,
        title: "NativeAOT publish without AVX2",
        messageFormat: "'{0}' is published with NativeAOT for x64 without an instruction set that includes AVX2: its kernels will take the 128-bit path; set <IlcInstructionSet>x86-64-v3</IlcInstructionSet> (or native) if the target machines have AVX2",
        "ModelGen.Performance",
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "NativeAOT compiles x64 code for a baseline without AVX2 unless IlcInstructionSet says otherwise, and hardware-intrinsic checks are then fixed at compile time: the AVX2+FMA kernels are never used.",
        helpLinkUri: RuleIdentifiers.HelpLink(RuleIdentifiers.AotWithoutAvx2));

    /// <summary>MG0012.</summary>
    public static readonly DiagnosticDescriptor SoftwareHalfConversion = new(
        RuleIdentifiers.SoftwareHalfConversion,
        title: "Float16 weights are widened in software",
        messageFormat: "Layer '{0}' stores Float16 weights, which .NET 10 can only widen to fp32 in software (no F16C/FCVT intrinsic): BFloat16 keeps 16-bit storage and widens with one shift, at 8 instead of 11 mantissa bits",
        "ModelGen.Performance",
        DiagnosticSeverity.Info,
        isEnabledByDefault: true,
        description: "Float16 kernels convert every weight with integer instructions; on the reference machine the Fashion-MNIST MLP ran 2.6x slower at batch 1 with Float16 weights than with BFloat16 weights.",
        helpLinkUri: RuleIdentifiers.HelpLink(RuleIdentifiers.SoftwareHalfConversion));

    /// <summary>MG0011.</summary>
    public static readonly DiagnosticDescriptor MemoryReport = new(
        RuleIdentifiers.MemoryReport,
        title: "Model memory report",
        messageFormat: "'{0}' takes {1} bytes of native memory: weights {2} bytes ({3}% of fp32), activations {4} bytes per sample, {5} bytes at MaxBatch {6}",
        "ModelGen.Memory",
        DiagnosticSeverity.Info,
        isEnabledByDefault: true,
        description: "The exact memory figures the generator computed for this model, shown at the class so the IDE displays them on hover. The same numbers are constants on the generated class and in its Memory report.",
        helpLinkUri: RuleIdentifiers.HelpLink(RuleIdentifiers.MemoryReport));

    /// <summary>MG0013.</summary>
    public static readonly DiagnosticDescriptor IncompatibleLayerOptions = new(
        RuleIdentifiers.IncompatibleLayerOptions,
        title: "Layer options cannot work together",
        messageFormat: "{0}",
        Category,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "Some quantization and pruning options exclude each other: pruning stores Float32 or Int8 values only, GroupSize applies to int4 layers, Sparsity to magnitude pruning, static input quantization to dense Int8 layers, and channel pruning to hidden layers.",
        helpLinkUri: RuleIdentifiers.HelpLink(RuleIdentifiers.IncompatibleLayerOptions));

    /// <summary>MG0014.</summary>
    public static readonly DiagnosticDescriptor GraphShapeMismatch = new(
        RuleIdentifiers.GraphShapeMismatch,
        title: "Graph shapes do not fit",
        messageFormat: "{0}",
        Category,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "Each layer of a graph model reads the output of an earlier layer (the one declared before it unless Input names another, or the model input); the shape inferred for that output must be one the layer takes: the channels a Conv2d or BatchNorm2d declares, a 1-D input of InFeatures for Dense, the last dimension for LayerNorm, a window that fits, and equal shapes for Add.",
        helpLinkUri: RuleIdentifiers.HelpLink(RuleIdentifiers.GraphShapeMismatch));

    /// <summary>The descriptor that reports problems of <paramref name="rule"/>.</summary>
    public static DiagnosticDescriptor For(ModelRule rule) => rule switch
    {
        ModelRule.LayerShapeMismatch => LayerShapeMismatch,
        ModelRule.AttributeValueOutOfRange => AttributeValueOutOfRange,
        ModelRule.IncompatibleLayerOptions => IncompatibleLayerOptions,
        ModelRule.GraphShapeMismatch => GraphShapeMismatch,
        _ => InvalidModelDeclaration,
    };
}
