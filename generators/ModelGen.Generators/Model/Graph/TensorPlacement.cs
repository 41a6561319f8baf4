namespace ModelGen.Generators.Model.Graph;

/// <summary>Where one tensor sits in the batch region of the activation block, per sample.</summary>
/// <param name="Id">The tensor's <see cref="TensorLifetime.Id"/>.</param>
/// <param name="Offset">64-aligned byte offset for one sample (the runtime scales it by the batch).</param>
/// <param name="Bytes">Bytes reserved for one sample: the aligned size, or the larger of an in-place pair's sizes.</param>
internal sealed record TensorPlacement(int Id, long Offset, long Bytes);
