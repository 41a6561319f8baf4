namespace ModelGen.Generators;

/// <summary>Names of the generator's pipeline steps, for incrementality tests.</summary>
internal static class TrackingNames
{
    /// <summary>Each <c>[Model]</c> class parsed into a <c>ModelSpec</c> (null when it is not a class).</summary>
    public const string ModelSpecs = nameof(ModelSpecs);

    /// <summary>Each spec with its memory plan, or without one when the model has problems.</summary>
    public const string PlannedModels = nameof(PlannedModels);

    /// <summary>All tracked steps.</summary>
    /// <summary>The <c>[LayerBackend]</c> classes as values.</summary>
    public const string BackendSpecs = nameof(BackendSpecs);

    public static readonly string[] All = [ModelSpecs, PlannedModels];
}
