using ModelGen.Generators.Model;

namespace ModelGen.Generators;

/// <summary>What the emitter writes for one model, compared by value.</summary>
/// <param name="Spec">The parsed model.</param>
/// <param name="Plan">
/// Its weight and activation layout; null when the model has problems, in which case only placeholder layer properties
/// are written so the build reaches the analyzer that reports them.
/// </param>
internal sealed record PlannedModel(ModelSpec Spec, ModelPlan? Plan);
