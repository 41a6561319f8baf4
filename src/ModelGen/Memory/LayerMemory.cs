namespace ModelGen;

/// <summary>Weight memory of one layer at its precision and what it would take in fp32.</summary>
/// <param name="Name">Layer (tensor prefix) name.</param>
/// <param name="Precision">Storage precision.</param>
/// <param name="Bytes">Weights, scales and bias at <paramref name="Precision"/>.</param>
/// <param name="Float32Bytes">The same layer in fp32.</param>
public sealed record LayerMemory(string Name, Precision Precision, long Bytes, long Float32Bytes);
