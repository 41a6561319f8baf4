using System.Collections.Immutable;

namespace ModelGen.Generators.Model;

/// <summary>
/// Names the generated code declares inside the model class. The emitter uses them and the validator rejects layer
/// properties that would clash with them, so a valid model always compiles.
/// </summary>
internal static class GeneratedNames
{
    /// <summary>The static array of all layers.</summary>
    public const string LayersField = "s_layers";

    /// <summary>The instance field holding the native state.</summary>
    public const string StateField = "_modelState";

    /// <summary>Public members of every generated model.</summary>
    public static ImmutableHashSet<string> Members { get; } = ImmutableHashSet.Create(
        "InputFeatures", "OutputFeatures", "MaxBatch", "WeightBlockBytes", "WeightBytes", "Float32WeightBytes",
        "ActivationBytesPerSample", "ActivationBlockBytes", "TotalBytes", "MemoryBudgetBytes",
        "Layers", "Memory", "Load", "Save", "Forward", "ForwardObserved", "IsDisposed", "Dispose", "CreateWorker", ForwardCore);

    /// <summary>The private method both Forward entry points run.</summary>
    public const string ForwardCore = "ForwardCore";

    /// <summary>The static field of the layer declared as <paramref name="propertyName"/>: <c>Hidden</c> -> <c>s_hidden</c>.</summary>
    public static string LayerField(string propertyName) =>
        "s_" + char.ToLowerInvariant(propertyName[0]) + propertyName.Substring(1);
}
