using ModelGen.Generators.Model;

namespace ModelGen.Generators;

/// <summary>A model that passed validation, with its plan: everything the emitter needs, compared by value.</summary>
/// <param name="Spec">The parsed model.</param>
/// <param name="Plan">Its weight and activation layout.</param>
internal sealed record PlannedModel(ModelSpec Spec, ModelPlan Plan);
