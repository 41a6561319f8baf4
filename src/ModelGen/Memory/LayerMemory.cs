namespace ModelGen;

/// <summary>Weight memory of one layer as stored and what the unpruned layer would take in fp32.</summary>
/// <param name="Name">Layer (tensor prefix) name.</param>
/// <param name="Precision">Storage precision.</param>
/// <param name="Bytes">Every packed tensor of the layer (weights, structure, scales, codebook, bias).</param>
/// <param name="Float32Bytes">The unpruned layer in fp32, as the source file holds it.</param>
/// <param name="Storage">How it is stored (<see cref="DenseLayer.Storage"/>): e.g. dense or sparse after pruning.</param>
public sealed record LayerMemory(string Name, Precision Precision, long Bytes, long Float32Bytes, string Storage);
