namespace ModelGen.Analyzers;

/// <summary>Diagnostic ids and their documentation links.</summary>
internal static class RuleIdentifiers
{
    /// <summary>A layer's input width differs from the previous layer's output width.</summary>
    public const string LayerShapeMismatch = "MG0001";

    /// <summary>An attribute argument, or a size derived from the arguments, is out of range.</summary>
    public const string AttributeValueOutOfRange = "MG0002";

    /// <summary>The model class or a layer property is declared in a way the generator cannot extend.</summary>
    public const string InvalidModelDeclaration = "MG0003";

    /// <summary>Weights plus activations at MaxBatch exceed the memory budget.</summary>
    public const string MemoryBudgetExceeded = "MG0004";

    /// <summary>Forward is called with a constant batch above MaxBatch.</summary>
    public const string OversizedBatch = "MG0005";

    /// <summary>A model or native block is created and not disposed on every path.</summary>
    public const string UndisposedModel = "MG0006";

    /// <summary>A model load, a native block or a Forward buffer allocated on every iteration of a loop.</summary>
    public const string HotLoopAllocation = "MG0007";

    /// <summary>Native memory without 64-byte alignment backs a tensor handed to ModelGen.</summary>
    public const string UnalignedBuffer = "MG0008";

    /// <summary>A layer width leaves a large share of vector lanes empty.</summary>
    public const string PaddingWaste = "MG0009";

    /// <summary>A NativeAOT x64 publish without AVX2 in its instruction set.</summary>
    public const string AotWithoutAvx2 = "MG0010";

    /// <summary>Float16 layers convert their weights in software.</summary>
    public const string SoftwareHalfConversion = "MG0012";

    /// <summary>The model's compile-time memory figures, for the IDE.</summary>
    public const string MemoryReport = "MG0011";

    /// <summary>Layer options that exclude each other (e.g. a codebook with 2:4 pruning).</summary>
    public const string IncompatibleLayerOptions = "MG0013";

    /// <summary>A graph layer's input shape does not fit it, or a graph edge names no earlier layer.</summary>
    public const string GraphShapeMismatch = "MG0014";

    /// <summary>The documentation page of rule <paramref name="id"/>.</summary>
    public static string HelpLink(string id) => $"https://github.com/modelgen/modelgen/blob/main/docs/rules/{id}.md";
}
